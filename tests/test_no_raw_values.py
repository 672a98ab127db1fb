"""No raw value anywhere: headers that name people, timestamps that are words, folders named after people and
files refused for what they hold all leave the project with nothing of them but pseudonyms, on the real gate.

The seeded identifier is "Kayleigh Hargreaves"; every search is case-insensitive and over bytes (the SQLite
store included). The inbox keeps the files people dropped there and `private/` keeps the key: both hold the
originals by design and are not searched, except the reasons written beside set-aside files.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import REPO
from qualcode.anonymise.detector import Detector
from qualcode.cli import EXIT_PARTIAL
from qualcode.project import Project, init_project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace.ingest import REASON_SUFFIX, ingest_inbox

SEEDS = ("kayleigh", "hargreaves")

HEADER = (
    "---\n"
    "source_id: rw-d1-07\n"
    "source_type: focus group\n"
    "Type: Interview\n"
    "Kayleigh Hargreaves: mum\n"
    "date: 9 March 2026\n"
    "---\n"
    "Interviewer: What happened after the referral?\n"
    "Social Worker: I visited Kayleigh Hargreaves at home on Monday and the plan was agreed with her.\n"
    "Team Manager: The strategy meeting was held the same week, with health and police.\n"
)
TIMESTAMPS = {"metadata": {"id": "rw-d1-08", "Type": "Interview"},
              "turns": [{"speaker": "Interviewer", "text": "Who called the front door?",
                         "timestamp": "Kayleigh Hargreaves rang"},
                        {"speaker": "Named Nurse", "text": "The school nurse called us on the Tuesday morning.",
                         "timestamp": "00:01:02"}]}
MANIFEST = "file,Source ID,Type,Kayleigh Hargreaves,Date\nvisit.txt,rw-d2-09,Focus Group,mum,10/03/2026\n"
VISIT = "Social Worker: The family engaged well and the plan was reviewed on time.\n"


def _workbook(sheet_title: str, rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


REFUSED: dict[str, tuple[bytes, str]] = {
    # broken YAML that holds a name
    "broken-header.txt": (b"---\nid: x\nrole: [Kayleigh Hargreaves\n---\nChair: The board met.\n", "E107"),
    # a JSON decode error right next to a name
    "broken.json": (b'{"turns": [{"text": "The board met."}, Kayleigh Hargreaves]}', "E111"),
    # a workbook whose sheet and only columns are named after a person, with no answers in words
    "scores.xlsx": (_workbook("Kayleigh Hargreaves", [["Kayleigh Hargreaves", "Hargreaves"], [3, 4]]), "E105"),
}
# a workbook whose sheet and question column are named after a person: read, and the question anonymised
ANSWERS = _workbook("Kayleigh Hargreaves", [["respondent", "How is Kayleigh Hargreaves supported at school?"],
                                            ["R01", "The designated safeguarding lead meets the family weekly."]])


def _fill_inbox(inbox: Path) -> None:
    (inbox / "day1").mkdir(parents=True, exist_ok=True)
    (inbox / "day1" / "header.txt").write_text(HEADER, encoding="utf-8")
    (inbox / "day1" / "timestamps.json").write_text(json.dumps(TIMESTAMPS), encoding="utf-8")
    (inbox / "day1" / "answers.xlsx").write_bytes(ANSWERS)
    person = inbox / "day2" / "Kayleigh Hargreaves"
    person.mkdir(parents=True)
    (person / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    (person / "visit.txt").write_text(VISIT, encoding="utf-8")
    for name, (data, _) in REFUSED.items():
        (inbox / "day3").mkdir(exist_ok=True)
        (inbox / "day3" / name).write_bytes(data)


def _leaks(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    return [seed for seed in SEEDS if seed in text.casefold()]


def _written(project: Project) -> list[Path]:
    """Everything qualcode wrote into the project: all but the inbox's own files and the private key, with the
    reasons beside set-aside files."""
    return [p for p in project.root.rglob("*") if p.is_file() and project.root / "private" not in p.parents
            and (project.inbox not in p.parents or p.name.endswith(REASON_SUFFIX))]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qualcode.cli", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300, env={**os.environ, "COLUMNS": "200"})


@pytest.mark.slow
def test_qualcode_ingest_anonymises_every_file_or_sets_it_aside_and_writes_no_raw_value(tmp_path: Path) -> None:
    project = init_project(tmp_path / "review")
    _fill_inbox(project.inbox)

    done = _run("--verbose", "ingest", str(project.root))

    assert done.returncode == EXIT_PARTIAL, done.stdout + done.stderr
    assert "4 added" in done.stdout and "3 set aside" in done.stdout, done.stdout
    assert not _leaks(done.stdout + done.stderr), done.stderr
    # the warnings say what was dropped, by position
    assert "Front matter key 4 was not recognised and was dropped." in done.stderr
    assert "Front matter key 3 gives `source_type` again and was dropped." in done.stderr
    assert "Turn 1's `timestamp` is not a time and was dropped." in done.stderr
    assert "Manifest column 4 was not recognised and was ignored." in done.stderr

    with Store(project.store_path) as store:
        sources = store.sources().set_index("source_id")
    header = sources.loc["rw-d1-07"]
    assert (header["source_type"], header["date"]) == ("focus_group", "2026-03-09")
    visit = sources.loc["rw-d2-09"]
    assert (visit["source_type"], visit["date"]) == ("focus_group", "2026-03-10")
    assert visit["path"].startswith("day2/PERSON_") and visit["path"].endswith("/visit.txt")
    assert sources.loc["rw-d1-08", "source_type"] == "interview"
    with sqlite3.connect(project.store_path) as db:
        stamps = [row[0] for row in db.execute("SELECT timestamp FROM turns WHERE source_id = 'rw-d1-08' "
                                               "ORDER BY turn_index")]
    assert stamps == [None, "00:01:02"]

    for name, (_, code) in REFUSED.items():
        reason = (project.rejected / f"day3__{name}{REASON_SUFFIX}").read_text(encoding="utf-8")
        assert code in reason and f"day3/{name}" in reason, reason
    written = _written(project)
    assert {p.name for p in written} >= {"qualcode.db", "qualcode.yaml"}
    assert sum(p.name.endswith(REASON_SUFFIX) for p in written) == len(REFUSED)
    for path in written:
        assert not _leaks(path.read_bytes()), path.relative_to(project.root)


@pytest.mark.slow
def test_qualcode_anonymise_reads_the_header_and_its_copies_report_and_messages_hold_no_raw_value(
        tmp_path: Path) -> None:
    inbox = tmp_path / "loose"
    _fill_inbox(inbox)
    (inbox / "day3" / "notes.Hargreaves").write_text("Chair: The board met.\n", encoding="utf-8")
    files = [inbox / "day1" / "header.txt", inbox / "day1" / "timestamps.json", inbox / "day1" / "answers.xlsx",
             inbox / "day2" / "Kayleigh Hargreaves" / "visit.txt",
             *(inbox / "day3" / name for name in [*REFUSED, "notes.Hargreaves"])]
    out = tmp_path / "out"

    done = _run("anonymise", *map(str, files), "--out", str(out))

    assert done.returncode == EXIT_PARTIAL, done.stdout + done.stderr
    assert not _leaks(done.stdout + done.stderr), done.stdout + done.stderr
    assert "4 anonymised copies" in done.stdout and "4 file(s) held back" in done.stdout
    assert "warning" in done.stderr and "front matter key 4 was not recognised" in done.stderr.casefold()
    report = pd.read_csv(out / "anonymisation-report.csv", keep_default_na=False)
    header = report[report["source"] == "rw-d1-07"]
    assert "anonymised" in set(header["status"]) and "PERSON" in set(header["entity_type"])
    assert "warning: Front matter key 4 was not recognised and was dropped." in set(header["status"])
    not_read = report[report["status"].str.startswith("not read")]
    assert len(not_read) == len(REFUSED) + 1
    assert any("[E106]" in status for status in not_read["status"])
    copy = (out / "header.txt").read_text(encoding="utf-8")
    front = copy.split("---\n")[1]
    assert "id: rw-d1-07" in front and "source_type: focus_group" in front and "date: '2026-03-09'" in front
    assert "[PERSON_" in copy
    for path in out.rglob("*"):
        assert not _leaks(path.read_bytes()), path.name


def test_a_folder_named_after_a_person_is_stored_under_a_pseudonym(tmp_path: Path, detector: Detector,
                                                                  segmenter: Segmenter) -> None:
    project = init_project(tmp_path)
    for folder in ("Kayleigh Hargreaves", "Tolu Mehmood", "day1"):
        (project.inbox / "visits" / folder).mkdir(parents=True)
        (project.inbox / "visits" / folder / "notes.txt").write_text(
            f"---\nid: {folder.split()[0].lower()}-notes\n---\nSocial Worker: The {folder[-1]} plan was reviewed.\n")
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert len(report.added) == 3, [o.reason for o in report.set_aside]
    with Store(project.store_path) as store:
        paths = sorted(store.sources()["path"])
    assert "visits/day1/notes.txt" in paths
    assert not [p for p in paths if "kayleigh" in p.casefold() or "hargreaves" in p.casefold()
                or "tolu" in p.casefold() or "mehmood" in p.casefold()], paths
    raw = project.store_path.read_bytes()
    assert b"Kayleigh" not in raw and b"Mehmood" not in raw


def test_require_metadata_sets_aside_a_header_with_nothing_usable_naming_no_key(
        tmp_path: Path, detector: Detector, segmenter: Segmenter) -> None:
    project = init_project(tmp_path)
    config = project.root / "qualcode.yaml"
    config.write_text(config.read_text().replace("require_metadata: false", "require_metadata: true"))
    (project.inbox / "a.txt").write_text("---\nKayleigh Hargreaves: mum\n---\nChair: The board met.\n")
    (project.inbox / "b.txt").write_text("---\nKayleigh Hargreaves: mum\nInterviewee role: councillor\n---\n"
                                         "Chair: The board met again.\n")
    report = ingest_inbox(Project.open(project.root), segmenter=segmenter, detector=detector)
    assert [o.name for o in report.added] == ["b.txt"]
    reason = report.rejected[0].reason or ""
    assert "E110" in reason and "key 1 was not recognised" in reason and not _leaks(reason)
    assert not _leaks(" ".join(report.added[0].warnings))


@pytest.mark.parametrize("stamp", ["Kayleigh Hargreaves rang", {"who": "Kayleigh Hargreaves"}, ["Hargreaves"]])
def test_a_json_timestamp_that_is_words_leaves_no_trace(tmp_path: Path, detector: Detector,
                                                       segmenter: Segmenter, stamp: object) -> None:
    project = init_project(tmp_path)
    doc = {"turns": [{"speaker": "Interviewer", "text": "What happened next?", "timestamp": stamp},
                     {"speaker": "Chair", "text": "The board asked for an audit of the front door."}]}
    (project.inbox / "call.json").write_text(json.dumps(doc))
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert report.added, [o.reason for o in report.set_aside]
    assert report.added[0].warnings[0] == "call.json: Turn 1's `timestamp` is not a time and was dropped."
    assert not _leaks(project.store_path.read_bytes())
