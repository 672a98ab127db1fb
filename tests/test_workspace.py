"""The service layer: what every adapter (CLI, flows, notebooks, workbench) gets from one call."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from conftest import WEEK_START
from qualcode.errors import BadConfig, NotAProject
from qualcode.project import Project, init_project
from qualcode.workspace import ReportSummary, Workspace
from qualcode.workspace.orchestration import Cluster, coding_cluster
from qualcode.workspace.reports import Report


def test_a_folder_that_is_not_a_project_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(NotAProject):
        Workspace.open(tmp_path)
    assert Workspace.create(tmp_path / "new", name="A review").project.config.name == "A review"


def test_the_summary_a_flow_returns_is_the_report_it_summarises(
        review_week_reports: tuple[Project, list[Report]]) -> None:
    """Recorded in about.json when the report is built, so a current report is summarised without rebuilding
    it or reading its tables back; it says the same as those tables."""
    project, reports = review_week_reports
    day = WEEK_START + dt.timedelta(days=len(reports) - 1)
    folder = project.outputs / day.isoformat()
    before = {p: p.stat().st_mtime_ns for p in folder.iterdir()}
    summary = Workspace(project).report_summary(day)
    assert isinstance(summary, ReportSummary) and summary.folder == folder and summary.briefing.is_file()
    assert {p: p.stat().st_mtime_ns for p in folder.iterdir()} == before and not summary.rebuilt  # current
    table = pd.read_csv(folder / "hypotheses.csv", keep_default_na=False)
    assert summary.statuses == dict(zip(table["hypothesis_id"], table["status"], strict=True))
    assert [h["for"] for h in summary.hypotheses] == table["support_statements"].tolist()
    assert summary.statements == int(pd.read_csv(folder / "sources.csv")["statements"].sum())
    assert summary.stale == 0 and set(summary.digests) == {summary.coding_digest}


def _project(tmp_path: Path, address: str | None = None) -> Project:
    project = init_project(tmp_path)
    if address:
        config = project.root / "qualcode.yaml"
        config.write_text(config.read_text().replace("dask_address: null", f"dask_address: {address}"))
    return Project.open(tmp_path)


def test_where_coding_runs_options_over_settings(tmp_path: Path) -> None:
    plain, named = _project(tmp_path / "a"), _project(tmp_path / "b", "tcp://10.0.0.5:8786")
    assert coding_cluster(plain) == Cluster(workers=1)
    assert coding_cluster(plain, workers=4) == Cluster(workers=4)
    assert coding_cluster(named) == Cluster(1, "tcp://10.0.0.5:8786", "orchestration.dask_address")
    assert coding_cluster(named, workers=4) == Cluster(workers=4)  # asked for a local cluster: that wins
    assert coding_cluster(named, dask_address="tcp://127.0.0.1:8786") == Cluster(1, "tcp://127.0.0.1:8786",
                                                                                 "--dask-address")
    with pytest.raises(BadConfig):
        coding_cluster(plain, workers=2, dask_address="tcp://127.0.0.1:8786")


def test_a_second_run_waits_for_the_first_then_says_who_holds_the_project(tmp_path: Path) -> None:
    import subprocess
    import sys

    from typer.testing import CliRunner

    from qualcode.cli import app

    project = init_project(tmp_path / "project")
    config = project.root / "qualcode.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("lock_wait_seconds: 600", "lock_wait_seconds: 1"),
                      encoding="utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from qualcode.workspace.lock import project_lock\nwith project_lock(Path(sys.argv[1])):\n"
         "    print('held', flush=True)\n    time.sleep(120)\n", str(project.root)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = CliRunner().invoke(app, ["ingest", str(project.root)])
        assert refused.exit_code != 0 and "E211" in refused.stderr and f"process {holder.pid}" in refused.stderr
        assert "Traceback" not in refused.output
    finally:
        holder.kill()
        holder.wait(timeout=30)
    # a run that died holds nothing
    assert CliRunner().invoke(app, ["ingest", str(project.root)]).exit_code == 0
    assert not (project.root / ".qualcode.lock.json").exists()
