"""The command line as a user meets it: help, exit codes, clear errors, and the demo with no network."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import EVALUATION, REPO, make_project, offline_env
from qualcode.cli import EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE, app
from qualcode.project import Project
from qualcode.store import SEGMENT_COLUMNS, Store

runner = CliRunner()


@pytest.mark.parametrize("command", [[], ["init"], ["ingest"], ["segments"], ["demo"], ["anonymise"], ["code-table"],
                                     ["code"], ["evaluate"], ["report"], ["nightly"], ["schedule"],
                                     ["code-corpus"], ["review"], ["review", "import"], ["review", "export"],
                                     ["themes"], ["exchange"], ["exchange", "export"], ["exchange", "codebook"],
                                     ["exchange", "import"], ["exchange", "import-codebook"], ["synth"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


@pytest.mark.slow
def test_init_ingest_segments_round_trip(tmp_path: Path) -> None:
    root = tmp_path / "review"
    assert runner.invoke(app, ["init", str(root)]).exit_code == EXIT_OK
    assert (root / "qualcode.yaml").is_file() and (root / "inbox").is_dir() and (root / "outputs").is_dir()
    make_project(root, EVALUATION)
    result = runner.invoke(app, ["ingest", str(root)])
    assert result.exit_code == EXIT_OK, result.output
    assert "already ingested" in result.output
    out = tmp_path / "segments.csv"
    result = runner.invoke(app, ["segments", str(root), "--out", str(out)])
    assert result.exit_code == EXIT_OK
    frame = pd.read_csv(out)
    assert list(frame.columns) == SEGMENT_COLUMNS and len(frame) > 200
    one = runner.invoke(app, ["segments", str(root), "--source", "ev-la1-01"])
    assert set(pd.read_csv(io.StringIO(one.stdout))["source_id"]) == {"ev-la1-01"}


def test_ingest_exit_code_says_files_were_set_aside(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path)])
    (tmp_path / "inbox" / "ok.txt").write_text("Director: We changed the referral route after the review.\n")
    (tmp_path / "inbox" / "empty.txt").write_text("")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == EXIT_PARTIAL
    assert "1 added" in result.output and "1 set aside" in result.output and "empty.txt" in result.output


def test_not_a_project_and_broken_config_give_clear_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == EXIT_UNUSABLE
    assert "E201" in result.output and "qualcode init" in result.output
    runner.invoke(app, ["init", str(tmp_path)])
    (tmp_path / "qualcode.yaml").write_text("version: 1\nsegmentaton:\n  min_words: 3\n")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == EXIT_UNUSABLE and "E202" in result.output and "qualcode.yaml:2" in result.output


def test_a_manifest_column_qualcode_does_not_know_never_stops_its_files(tmp_path: Path,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    runner.invoke(app, ["init", str(tmp_path)])
    (tmp_path / "inbox" / "ok.txt").write_text("Director: We changed the referral route.\n")
    (tmp_path / "inbox" / "manifest.csv").write_text("file,id,Kayleigh Hargreaves\nok.txt,a,happy\n")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == EXIT_OK, result.output
    assert "1 added" in result.output
    assert "manifest.csv: Manifest column 3 was not recognised and was ignored." in caplog.messages
    shown = result.output + "\n".join(caplog.messages)
    assert "Kayleigh" not in shown and "happy" not in shown
    with Store(Project.open(tmp_path).store_path) as store:
        assert list(store.sources()["source_id"]) == ["a"]


@pytest.mark.slow
def test_demo_runs_offline_and_prints_where_outputs_are(tmp_path: Path) -> None:
    env, log = offline_env(tmp_path)
    demo_dir = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "qualcode.cli", "demo", "--dir", str(demo_dir)],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert result.returncode == EXIT_OK, result.stderr
    assert not log.exists(), log.read_text()
    for day in ("day1", "day2", "day3", "day4"):
        assert day in result.stdout
    reports = sorted(p.name for p in (demo_dir / "outputs").iterdir())
    assert reports == ["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12"]
    last = demo_dir / "outputs" / reports[-1] / "briefing.html"
    assert result.stdout.strip().splitlines()[-1] == f"Briefing: {last}" and last.is_file()
    said = " ".join(result.stdout.split())
    assert "and 1 performance-data table(s)" in said and "Before the week: 2 document(s), 14 indicator(s)" in said
    with Store(demo_dir / "qualcode.db") as store:
        frame = store.segments()
    assert frame["source_id"].nunique() >= 16
    assert frame["question"].notna().any() and (frame["role"] != "unknown").all()


def test_segments_lists_every_review_week_statement_with_role_agency_and_question(
        review_week_project: Project) -> None:
    result = runner.invoke(app, ["segments", str(review_week_project.root)])
    assert result.exit_code == EXIT_OK
    listed = pd.read_csv(io.StringIO(result.stdout))
    with Store(review_week_project.store_path) as store:
        assert len(listed) == store.counts()["segments"]
        stored = store.sources()
    assert set(listed["source_id"]) == set(stored["source_id"])
    assert listed[["role", "agency"]].notna().all().all()
    asked = listed[listed["source_type"].isin(["interview", "focus_group", "questionnaire"])]
    assert asked["question"].notna().all()
