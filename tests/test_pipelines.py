"""The Prefect flows, run for real in subprocesses (Prefect's ephemeral server, real models, a real store), with
every connection beyond loopback refused."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from conftest import EVALUATION, REPO, REVIEW_WEEK, offline_env
from pipeline_runs import QUALCODE, free_port, new_project, outputs, run, said, table
from qualcode.anonymise.detector import Detector
from qualcode.flows.server import running_server
from qualcode.project import Project, init_project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace.coding import code_project
from qualcode.workspace.ingest import ingest_inbox
from qualcode.workspace.wiring import project_codebook, project_coding_digest

pytestmark = pytest.mark.slow
@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One project through three nightly runs: day 1; the same again; day 2 added."""
    tmp = tmp_path_factory.mktemp("nightly")
    env, log = offline_env(tmp)
    root = new_project(tmp / "project", "day1")
    first = run(["nightly", str(root), "--date", "2026-03-10"], env)
    day1 = outputs(root / "outputs" / "2026-03-10")
    second = run(["nightly", str(root), "--date", "2026-03-10"], env)
    again = outputs(root / "outputs" / "2026-03-10")
    shutil.copytree(REVIEW_WEEK / "day2", root / "inbox" / "day2")
    third = run(["nightly", str(root), "--date", "2026-03-10"], env)
    return {"root": root, "env": env, "log": log, "home": tmp / "home", "runs": [first, second, third],
            "outputs": (day1, again)}


def test_nightly_rerun_codes_nothing_and_reproduces_the_outputs(week: dict[str, Any]) -> None:
    first, second, _ = week["runs"]
    day1, again = week["outputs"]
    statements = len(table(week["root"], "SELECT segment_id FROM segments WHERE source_id LIKE 'rw-d1-%'"))
    assert f"Coding {statements} statements" in said(first)
    # nothing changed, so the second night is decided from hashes and digests alone: no flow, no model, no server
    assert "Nothing new since the last run" in said(second) and "Skipped the flow" in said(second)
    assert "Coding " not in said(second) and "H1" in said(second)  # the briefing table, from the report as it is
    assert day1 == again and {"briefing.html", "evidence.xlsx", "hypotheses.parquet"} <= set(day1)


def test_deciding_a_night_has_nothing_new_loads_no_model_library(week: dict[str, Any]) -> None:
    probe = ("import datetime, sys; from qualcode.workspace.service import Workspace; "
             f"print(Workspace.open({str(week['root'])!r}).nothing_new(datetime.date(2026, 3, 10))); "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'torch', 'presidio_analyzer', "
             "'sklearn', 'sentence_transformers', 'transformers'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=week["env"],
                            cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["True", "[]"]


def test_nightly_codes_only_the_new_days_files(week: dict[str, Any]) -> None:
    third = week["runs"][2]
    new = table(week["root"], "SELECT segment_id FROM segments WHERE source_id LIKE 'rw-d2-%'")
    assert len(new) > 0 and f"Coding {len(new)} statements" in said(third)
    assert "5 new sources" in said(third) and "5 already ingested" in said(third)
    runs = table(week["root"], "SELECT segment_id, COUNT(*) AS n FROM coding_runs GROUP BY segment_id")
    segments = table(week["root"], "SELECT segment_id FROM segments")
    assert set(runs["segment_id"]) == set(segments["segment_id"]) and (runs["n"] == 1).all()


def test_nightly_keeps_prefect_under_the_project_offline_and_text_out_of_logs(week: dict[str, Any]) -> None:
    root: Path = week["root"]
    assert not week["log"].exists(), week["log"].read_text()
    assert (root / ".prefect" / "prefect.db").is_file() and not (week["home"] / ".prefect").exists()
    with sqlite3.connect(root / ".prefect" / "prefect.db") as db:
        artifacts = [row[0] for row in db.execute("SELECT data FROM artifact WHERE key = 'nightly-review'")]
        logs = " ".join(row[0] for row in db.execute("SELECT message FROM log"))
    assert len(artifacts) == 2 and "statements coded" in artifacts[-1] and "| H1 |" in artifacts[-1]  # 1 skipped
    stored = " ".join(p.read_text(errors="replace") for p in (root / ".prefect").rglob("*")
                      if p.is_file() and not p.name.startswith("prefect.db"))  # cached task results
    assert "Coding " in logs
    everything = " ".join(said(r) for r in week["runs"]) + " " + " ".join(artifacts) + " " + logs + " " + stored
    texts = table(root, "SELECT text FROM segments")["text"]
    leaked = [t for t in texts if len(t) > 25 and t in everything]
    assert leaked == []


def test_human_decisions_survive_reruns_and_a_recoding(week: dict[str, Any], tmp_path: Path) -> None:
    root = Path(shutil.copytree(week["root"], tmp_path / "project"))
    env = week["env"]
    coded = table(root, "SELECT segment_id, code_id, valence FROM codings WHERE assigned = 1 ORDER BY segment_id")
    rejected, accepted = coded.iloc[0], coded.iloc[1]
    uncoded = table(root, "SELECT segment_id FROM codings GROUP BY segment_id HAVING SUM(assigned) = 0")
    target = uncoded["segment_id"].iloc[0] if len(uncoded) else coded["segment_id"].iloc[-1]
    added_code = "loe.outcomes_voice"
    decisions = tmp_path / "decisions.csv"
    pd.DataFrame({"segment_id": [rejected.segment_id, accepted.segment_id, target],
                  "code_id": [rejected.code_id, accepted.code_id, added_code],
                  "decision": ["reject", "accept", "add"], "valence": ["", "", "area_for_improvement"]}
                 ).to_csv(decisions, index=False)
    run(["review", "import", str(root), str(decisions), "--coder", "peer reviewer"], env)

    # A new codebook version recodes every statement, from the embedding cache: nothing is embedded again.
    from qualcode.codebook import resolve_codebook_path

    original = resolve_codebook_path("safeguarding_lines_of_enquiry").read_text()
    book = re.sub(r'^version: ".*"$', 'version: "99.0.0"', original, count=1, flags=re.MULTILINE)
    assert book != original
    (root / "loe.yaml").write_text(book)
    config = root / "qualcode.yaml"
    config.write_text(config.read_text().replace("codebook: safeguarding_lines_of_enquiry", "codebook: loe.yaml"))
    with sqlite3.connect(root / "cache" / "embeddings.sqlite") as db:
        vectors_before = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    result = run(["nightly", str(root), "--date", "2026-03-10"], env)
    statements = len(table(root, "SELECT segment_id FROM segments"))
    assert f"Coding {statements} statements" in said(result)
    with sqlite3.connect(root / "cache" / "embeddings.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == vectors_before
    run(["nightly", str(root), "--date", "2026-03-10"], env)

    kept = table(root, "SELECT segment_id, code_id, decision, coder FROM decisions ORDER BY decision")
    assert sorted(kept["decision"]) == ["accept", "add", "reject"] and set(kept["coder"]) == {"peer reviewer"}
    shown = pd.read_csv(root / "outputs" / "2026-03-10" / "statements.csv")
    pairs = set(zip(shown["segment_id"], shown["code_id"], strict=True))
    assert (rejected.segment_id, rejected.code_id) not in pairs
    human = shown[shown["method"] == "human"].set_index(["segment_id", "code_id"])
    assert human.loc[(target, added_code), "valence"] == "area_for_improvement"
    assert human.loc[(accepted.segment_id, accepted.code_id), "confidence"] == 1.0


@pytest.fixture(scope="module")
def ingested_day1(tmp_path_factory: pytest.TempPathFactory, segmenter: Segmenter, detector: Detector) -> Path:
    """Day 1 ingested but not coded: copies of it code the same pseudonymised text."""
    root = new_project(tmp_path_factory.mktemp("ingested") / "project", "day1")
    ingest_inbox(Project.open(root), segmenter=segmenter, detector=detector)
    return root


def _codings(root: Path) -> pd.DataFrame:
    frame = table(root, "SELECT segment_id, code_id, assigned, rank, valence, confidence FROM codings")
    return frame.sort_values(["segment_id", "code_id"]).reset_index(drop=True)


def test_coding_on_a_dask_cluster_equals_the_single_process_run(ingested_day1: Path, tmp_path: Path) -> None:
    env, log = offline_env(tmp_path)
    single = Path(shutil.copytree(ingested_day1, tmp_path / "single"))
    spread = Path(shutil.copytree(ingested_day1, tmp_path / "spread"))
    code_project(Project.open(single), batch_size=64)  # what the flow runs in one process, batch by batch

    port = free_port()
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    cluster = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)]
    try:
        for _ in range(2):
            cluster.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                 "--host", "127.0.0.1", "--dashboard-address", ":0"], env=env, cwd=REPO,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        result = run(["nightly", str(spread), "--date", "2026-03-10", "--batch-size", "64", "--dask-address",
                       f"tcp://127.0.0.1:{port}"], env)
    finally:
        for process in reversed(cluster):
            os.killpg(process.pid, signal.SIGTERM)
        for process in cluster:
            process.wait(timeout=30)
    assert "Coding " in said(result)
    a, b = _codings(single), _codings(spread)
    assert len(a) > 0 and a.drop(columns="confidence").equals(b.drop(columns="confidence"))
    assert (a["confidence"] - b["confidence"]).abs().max() < 1e-3
    assert not log.exists(), log.read_text()


def test_code_corpus_flow_codes_a_whole_corpus_once(tmp_path: Path) -> None:
    env, log = offline_env(tmp_path)
    corpus = tmp_path / "interviews"
    corpus.mkdir()
    for path in [*sorted(EVALUATION.glob("ev-la[12]-*.txt")), EVALUATION / "README.md"]:
        shutil.copy2(path, corpus / path.name)  # front-matter interviews, and a README that is not a source
    (corpus / "notes-empty.txt").write_text("")  # set aside on the first run, and not copied in again
    root = init_project(tmp_path / "research").root
    first = run(["code-corpus", str(root), "--corpus", str(corpus)], env, code=3)
    second = run(["code-corpus", str(root), "--corpus", str(corpus)], env)
    sources = table(root, "SELECT source_id FROM sources")
    count = len(list(corpus.glob("ev-*.txt")))
    assert len(sources) == count >= 3 and f"{count} new sources" in said(first)
    assert "1 set aside" in said(first) and (root / "inbox" / "_rejected").is_dir()
    assert "(0 files copied)" in said(second) and "Nothing new to code" in said(second)
    book, digest = project_codebook(Project.open(root)), project_coding_digest(Project.open(root))
    with Store(root / "qualcode.db") as store:
        assert store.uncoded_segments(book.name, digest).empty
    assert not log.exists()


def _api(url: str, body: dict[str, Any] | None = None, tries: int = 5) -> Any:
    """A plain HTTP client that retries a 503 as Prefect's own client does: the server answers 503 while
    SQLite is busy."""
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"},
                                     method="POST" if body is not None else "GET")
    for attempt in range(tries):
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as error:
            if error.code != 503 or attempt == tries - 1:
                raise
            time.sleep(2 ** attempt)


def test_schedule_serves_the_nightly_flow_from_a_local_server(ingested_day1: Path, tmp_path: Path) -> None:
    env, log = offline_env(tmp_path)
    root = Path(shutil.copytree(ingested_day1, tmp_path / "project"))
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    output = (tmp_path / "schedule.log").open("w")
    process = subprocess.Popen([*QUALCODE, "schedule", str(root), "--at", "02:30", "--port", str(port)], env=env,
                               cwd=REPO, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, deployments = time.monotonic() + 180, []
        while time.monotonic() < deadline and not deployments:
            assert process.poll() is None, (tmp_path / "schedule.log").read_text()
            try:
                deployments = _api(f"{api}/deployments/filter", {})
            except OSError:
                time.sleep(1)
        assert len(deployments) == 1, (tmp_path / "schedule.log").read_text()
        schedules = deployments[0]["schedules"]
        assert [(s["schedule"]["cron"], s["schedule"]["timezone"], s["active"]) for s in schedules] == [
            ("30 2 * * *", "Europe/London", True)]
        flow_run = _api(f"{api}/deployments/{deployments[0]['id']}/create_flow_run", {})
        state = ""
        while time.monotonic() < deadline + 120 and state not in ("COMPLETED", "FAILED", "CRASHED"):
            time.sleep(2)
            state = _api(f"{api}/flow_runs/{flow_run['id']}")["state"]["type"]
        assert state == "COMPLETED", (tmp_path / "schedule.log").read_text()
        # a nightly run started by hand beside the schedule uses its server: no second one on the same database
        beside = subprocess.run([sys.executable, "-c", USE_PROJECT_PREFECT, str(root)], env=env, cwd=REPO,
                                capture_output=True, text=True, timeout=120)
        assert beside.stdout.strip() == api, beside.stderr[-2000:]
        assert (root / ".prefect" / "server.json").is_file()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    logged = (tmp_path / "schedule.log").read_text()
    assert f"Prefect UI: http://127.0.0.1:{port}" in logged
    # stopped (its server goes with it, however it was stopped): what it noted is trusted by no other process
    deadline = time.monotonic() + 15
    while running_server(root / ".prefect") is not None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert running_server(root / ".prefect") is None
    assert (root / ".prefect" / "prefect.db").is_file() and any((root / "outputs").iterdir())
    assert not log.exists(), log.read_text()


USE_PROJECT_PREFECT = """
import sys
from pathlib import Path
from qualcode.flows.environment import use_project_prefect
print(use_project_prefect(Path(sys.argv[1])))
"""


PREFECT_YAML_CHECK = """
import sys, yaml
from prefect import Flow
from prefect.client.schemas.schedules import CronSchedule
from prefect.flows import load_flow_from_entrypoint
config = yaml.safe_load(open("prefect.yaml"))
for deployment in config["deployments"]:
    # as a worker loads it: the file, from the checkout (prefect.yaml's working directory)
    flow = load_flow_from_entrypoint(deployment["entrypoint"], use_placeholder_flow=False)
    assert isinstance(flow, Flow), deployment["name"]
    assert "pipelines" not in sys.modules, deployment["name"]
    assert set(deployment["parameters"]) <= set(flow.parameters.properties), deployment["name"]
    for schedule in deployment.get("schedules", []):
        CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])
print("ok", len(config["deployments"]))
"""


def test_prefect_yaml_deployments_point_at_real_flows(tmp_path: Path) -> None:
    env, _ = offline_env(tmp_path)
    env["PREFECT_HOME"] = str(tmp_path / ".prefect")
    result = subprocess.run([sys.executable, "-c", PREFECT_YAML_CHECK], capture_output=True, text=True, env=env,
                            cwd=REPO, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok 2", result.stderr


def test_emerging_themes_flow_runs_on_the_coded_week_from_cached_embeddings(week: dict[str, Any],
                                                                            tmp_path: Path) -> None:
    root = Path(shutil.copytree(week["root"], tmp_path / "project"))
    script = ("import json, sys; from pathlib import Path; "
              "from qualcode.flows.environment import use_project_prefect; use_project_prefect(Path(sys.argv[1])); "
              "from dataclasses import asdict; from qualcode.flows.emerging_themes import emerging_themes; "
              "print(json.dumps(asdict(emerging_themes(project_dir=sys.argv[1]))))")
    result = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True,
                            env=week["env"], cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    assert counts["themes"] >= 1 and counts["embedded"] == 0
    assert (root / "outputs" / "themes" / "proposed_codes.yaml").is_file()
    assert not week["log"].exists()


def test_a_server_note_left_by_a_stopped_or_foreign_process_is_not_trusted(tmp_path: Path) -> None:
    """`running_server` trusts DIR/.prefect/server.json only while its process lives and its API answers."""
    home = tmp_path / ".prefect"
    home.mkdir()
    assert running_server(home) is None  # nothing noted
    for noted in ("not json", '{"port": "x"}', '{"port": 1, "pid": 2147480000}',
                  f'{{"port": {free_port()}, "pid": {os.getpid()}}}'):  # garbage; a dead pid; nothing listening
        (home / "server.json").write_text(noted)
        assert running_server(home) is None, noted


FIRST_SERVER = """
import sys
from pathlib import Path
from qualcode.flows.server import project_api
print(project_api(Path(sys.argv[1])))
"""


def test_a_projects_first_prefect_server_starts_from_a_database_migrated_once_per_machine(tmp_path: Path) -> None:
    """Migrating Prefect's empty database took 10 of the 15 s a project's first run spent starting Prefect: the
    first project's, freshly migrated, is kept in the user's cache, and the next project starts from a copy."""
    env, log = offline_env(tmp_path)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # a machine that has never run a flow
    for name in ("first", "second"):
        started = subprocess.run([sys.executable, "-c", FIRST_SERVER, str(tmp_path / name)], env=env, cwd=REPO,
                                 capture_output=True, text=True, timeout=120)
        assert started.returncode == 0 and started.stdout.startswith("http://127.0.0.1:"), started.stderr[-2000:]
    [template] = (tmp_path / "cache" / "qualcode" / "prefect").glob("prefect-*.db")
    assert template.stat().st_mode & 0o777 == 0o600
    with sqlite3.connect(template) as db:
        assert db.execute("SELECT COUNT(*) FROM flow_run").fetchone()[0] == 0  # Prefect's own tables, no run
        assert db.execute("SELECT COUNT(*) FROM alembic_version").fetchone()[0] == 1
    def block_types(database: Path) -> set[str]:  # ids Prefect draws at random when it registers them
        with sqlite3.connect(database) as db:
            return {row[0] for row in db.execute("SELECT id FROM block_type")}

    databases = [tmp_path / name / ".prefect" / "prefect.db" for name in ("first", "second")]
    assert block_types(databases[1]) == block_types(template) == block_types(databases[0])  # a copy, not new
    assert all(d.stat().st_mode & 0o777 == 0o600 for d in databases)
    assert not log.exists()
