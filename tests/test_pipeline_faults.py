"""Nightly runs that fail half way, run twice at once or meet bad files: the store stays consistent, what was
done is kept and the next night completes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, REVIEW_WEEK, copy_slowly, offline_env
from pipeline_runs import QUALCODE, new_project, run, said, table

pytestmark = pytest.mark.slow


def test_a_run_killed_while_coding_leaves_the_store_consistent_and_the_next_completes(tmp_path: Path) -> None:
    env, log = offline_env(tmp_path)
    root = new_project(tmp_path / "project", "day1")
    batch = 16
    process = subprocess.Popen([*QUALCODE, "nightly", str(root), "--date", "2026-03-10", "--batch-size", str(batch)],
                               env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    done, deadline = 0, time.monotonic() + 240
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if (root / "qualcode.db").exists():
                try:
                    done = int(table(root, "SELECT COUNT(*) AS n FROM coding_runs")["n"][0])
                except (sqlite3.OperationalError, pd.errors.DatabaseError):
                    done = 0
                if done >= batch:
                    os.killpg(process.pid, signal.SIGKILL)
                    break
            time.sleep(0.05)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    total = len(table(root, "SELECT segment_id FROM segments"))
    assert process.returncode == -signal.SIGKILL and 0 < done < total, (done, total)

    with sqlite3.connect(root / "qualcode.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    marked = table(root, "SELECT segment_id FROM coding_runs")
    coded = table(root, "SELECT DISTINCT segment_id FROM codings")
    assert set(coded["segment_id"]) <= set(marked["segment_id"])
    saved = len(marked)
    order = table(root, 'SELECT segment_id, source_id, turn_index FROM segments ORDER BY source_id, "index"')
    assert order["segment_id"].iloc[:saved].isin(marked["segment_id"]).all()  # whole batches, in the order taken
    answer = order[["source_id", "turn_index"]]
    assert saved >= batch and (answer.iloc[saved - 1] != answer.iloc[saved]).any()  # ending with a whole answer

    result = run(["nightly", str(root), "--date", "2026-03-10", "--batch-size", str(batch)], env)
    assert f"Coding {total - saved} statements" in said(result)
    runs = table(root, "SELECT segment_id, COUNT(*) AS n FROM coding_runs GROUP BY segment_id")
    assert len(runs) == total and (runs["n"] == 1).all()
    per_statement = table(root, "SELECT segment_id, COUNT(*) AS n, COUNT(DISTINCT code_id) AS codes "
                                 "FROM codings GROUP BY segment_id")
    assert (per_statement["n"] == per_statement["codes"]).all() and (per_statement["n"] >= 3).all()
    assert (root / "outputs" / "2026-03-10" / "briefing.html").is_file()
    assert not log.exists()



def test_a_night_of_faults_all_together(tmp_path: Path) -> None:
    """Bad files of every kind in one inbox with good ones, two nightly runs at once, one killed mid-report."""
    import docx

    env, _ = offline_env(tmp_path)
    root = new_project(tmp_path / "project", "day1")
    run(["nightly", str(root), "--date", "2026-03-09"], env)
    decided = table(root, "SELECT segment_id, code_id FROM codings WHERE assigned = 1 LIMIT 1").iloc[0]
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(f"segment_id,code_id,decision,valence\n{decided.segment_id},{decided.code_id},accept,"
                         "area_for_improvement\n", encoding="utf-8")
    run(["review", "import", str(root), str(decisions), "--coder", "peer"], env)
    inbox = root / "inbox" / "faults"
    inbox.mkdir()
    good = sorted(p.name for p in (REVIEW_WEEK / "day1").iterdir() if p.name != "manifest.csv")
    with (inbox / "recording.txt").open("wb") as handle:
        handle.truncate(2 * 1024**3)  # 2 GB, sparse
    (inbox / "binary.txt").write_bytes(bytes(range(256)) * 64)
    document = docx.Document()
    grid = document.add_table(rows=2, cols=2)
    for row, (who, words) in zip(grid.rows, [("Interviewer", "How are referrals decided?"),
                                              ("Manager", "Within a day, by a qualified social worker.")],
                                 strict=True):
        row.cells[0].text, row.cells[1].text = who, words
    document.save(str(inbox / "table-transcript.docx"))
    with open(bytes(inbox) + b"/caf\xe9-notes.txt", "wb") as handle:
        handle.write(b"Interviewer: Tell me.\nManager: Supervision happens monthly and it is recorded.\n")
    (inbox / "survey.csv").write_text("respondent,What works?\nR1,N/A\nR2,None\nR3,Supervision helps a lot.\n",
                                      encoding="utf-8")
    growing = inbox / "arriving.txt"
    growing.write_text("Interviewer: Tell me.\n", encoding="utf-8")

    writer = copy_slowly(growing, 40)
    command = [*QUALCODE, "nightly", str(root), "--date", "2026-03-09"]
    runs = [subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True) for _ in range(2)]
    killed = None
    deadline = time.monotonic() + 600
    while killed is None and time.monotonic() < deadline:
        staging = list((root / "outputs").glob(".2026-03-09-*"))
        holder = root / ".qualcode.lock.json"
        if staging and holder.is_file():
            pid = json.loads(holder.read_text(encoding="utf-8"))["pid"]
            killed = next(p for p in runs if p.pid == pid)
            killed.send_signal(signal.SIGKILL)  # mid-report: its staging folder holds quotes
        elif all(p.poll() is not None for p in runs):
            break
        time.sleep(0.005)
    writer.join()
    assert killed is not None, "no run was caught writing its report"
    survivor = next(p for p in runs if p is not killed)
    output, _ = survivor.communicate(timeout=600)
    assert survivor.returncode == 0, output
    assert not [p for p in (root / "outputs").iterdir() if p.name.startswith(".")]  # swept
    run(["nightly", str(root), "--date", "2026-03-09"], env)  # the next night takes the finished copy

    rejected = {p.name for p in (root / "inbox" / "_rejected").iterdir() if not p.name.endswith(".reason.txt")}
    assert rejected == {"faults__recording.txt", "faults__binary.txt"}
    assert all((root / "inbox" / "_rejected" / f"{name}.reason.txt").is_file() for name in rejected)
    sources = table(root, "SELECT path FROM sources")["path"].tolist()
    assert len(sources) == len(set(sources))  # each file once
    assert {f"day1/{name}" for name in good} <= set(sources)
    assert {"faults/table-transcript.docx", "faults/caf\ufffd-notes.txt", "faults/survey.csv",
            "faults/arriving.txt"} <= set(sources)
    answers = " ".join(table(root, "SELECT text FROM segments WHERE source_id = 'survey.csv'")["text"])
    assert "N/A" in answers and "None" in answers
    assert "Part 39 of a long answer" in " ".join(table(root, "SELECT text FROM segments")["text"])
    kept = table(root, "SELECT segment_id, code_id, decision, valence, coder FROM decisions")
    assert kept.to_dict("records") == [{"segment_id": decided.segment_id, "code_id": decided.code_id,
                                        "decision": "accept", "valence": "area_for_improvement", "coder": "peer"}]
    with sqlite3.connect(root / "qualcode.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


