"""Ingesting an inbox: idempotent, transactional, and bad files set aside without harming the rest."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import docx
import psutil
import pytest
from pytest_socket import disable_socket, enable_socket

from conftest import EVALUATION, SEEDED, copy_project, copy_slowly, make_project, sample_files
from qualcode.anonymise.detector import Detector
from qualcode.anonymise.entities import Finding
from qualcode.project import Project, init_project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace.inbox import inbox_files
from qualcode.workspace.ingest import ingest_inbox


def _table_dump(project: Project) -> list[tuple[object, ...]]:
    with sqlite3.connect(project.store_path) as db:
        return [row for table in ("sources", "turns", "segments")
                for row in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]


def _ingested(tmp_path: Path, evaluation_project: Project) -> tuple[Project, int]:
    """A copy of the ingested evaluation sample, its inbox still in place (the fixture is never written to),
    and how many sources the first ingest added."""
    project = copy_project(evaluation_project, tmp_path / "project")
    with Store(project.store_path) as store:
        return project, len(store.sources())


def test_reingesting_the_same_inbox_adds_nothing(tmp_path: Path, evaluation_project: Project, segmenter: Segmenter,
        detector: Detector) -> None:
    project, added = _ingested(tmp_path, evaluation_project)
    assert added >= 12 and added == len(inbox_files(project.inbox))  # every file a source: nothing set aside
    before = _table_dump(project)
    second = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert not second.added and len(second.skipped) == added
    assert _table_dump(project) == before
    # the same content under another name is recognised too
    original = next((project.inbox / "evaluation").glob("*.txt"))
    shutil.copy(original, project.inbox / "copy-of-an-interview.txt")
    third = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert [o.status for o in third.outcomes if o.name == "copy-of-an-interview.txt"] == ["skipped"]
    assert _table_dump(project) == before


def _truncated_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Chair: The board is stronger than it looks.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()[:400]


BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    "empty.txt": (b"", "E101"),
    "photo-renamed.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "E102"),
    "truncated.docx": (_truncated_docx(), "E103"),
    "no-cues.vtt": (b"WEBVTT\n\nNOTE nothing was said\n", "E104"),
    "ratings.csv": (b"respondent,score\nR1,3\nR2,4\n", "E105"),
    "slides.pptx": (b"PK\x03\x04 slides", "E106"),
}


def test_bad_files_are_set_aside_with_a_reason_and_the_rest_ingested(tmp_path: Path, evaluation_project: Project,
                                                                     segmenter: Segmenter,
        detector: Detector) -> None:
    project, added = _ingested(tmp_path, evaluation_project)
    before = _table_dump(project)
    good = project.inbox / "late" / "extra.txt"
    good.parent.mkdir()
    good.write_text("Researcher: What changed?\nDirector: We rewrote the escalation protocol with health.\n")
    for name, (data, _) in BAD_INPUTS.items():
        (project.inbox / "late" / name).write_bytes(data)

    report = ingest_inbox(project, segmenter=segmenter, detector=detector)

    assert [o.name for o in report.added] == ["late/extra.txt"]
    assert len(report.skipped) == added
    rejected = {o.name: o.reason for o in report.rejected}
    assert set(rejected) == {f"late/{name}" for name in BAD_INPUTS}
    for name, (_, code) in BAD_INPUTS.items():
        reason = rejected[f"late/{name}"]
        assert reason is not None and code in reason and name in reason
        moved = project.rejected / f"late__{name}"
        assert moved.is_file() and not (project.inbox / "late" / name).exists()
        assert code in moved.with_name(moved.name + ".reason.txt").read_text()
    after = _table_dump(project)
    assert set(before) <= set(after) and len(after) > len(before)
    # the rejects are not picked up again, and nothing is duplicated
    again = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert not again.added and not again.rejected
    assert _table_dump(project) == after


def test_a_reused_source_id_is_refused_not_overwritten(tmp_path: Path, segmenter: Segmenter,
        detector: Detector) -> None:
    project = init_project(tmp_path)
    (project.inbox / "a.txt").write_text("---\nid: same\n---\nDirector: First version of events here.\n")
    ingest_inbox(project, segmenter=segmenter, detector=detector)
    (project.inbox / "b.txt").write_text("---\nid: same\n---\nDirector: A different account entirely.\n")
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert report.rejected and "E109" in (report.rejected[0].reason or "")
    with Store(project.store_path) as store:
        assert "First version" in store.source_text("same")


def test_require_metadata_refuses_bare_files(tmp_path: Path, segmenter: Segmenter,
        detector: Detector) -> None:
    project = init_project(tmp_path)
    config = project.root / "qualcode.yaml"
    config.write_text(config.read_text().replace("require_metadata: false", "require_metadata: true"))
    (project.inbox / "bare.txt").write_text("Director: Nothing tells you who I am.\n")
    report = ingest_inbox(Project.open(project.root), segmenter=segmenter, detector=detector)
    assert report.rejected and "E110" in (report.rejected[0].reason or "")


@pytest.mark.slow
def test_ingest_runs_with_sockets_blocked(tmp_path: Path, segmenter: Segmenter,
        detector: Detector) -> None:
    project = make_project(tmp_path, EVALUATION)
    disable_socket(allow_unix_socket=True)
    try:
        report = ingest_inbox(project)  # builds its own spaCy pipeline too
    finally:
        enable_socket()
    assert len(report.added) >= 12 and not report.rejected


@pytest.mark.slow
def test_an_ingest_killed_half_way_changes_nothing_and_a_rerun_completes(tmp_path: Path,
                                                                         segmenter: Segmenter,
        detector: Detector) -> None:
    project = make_project(tmp_path, EVALUATION)
    ingest_inbox(project, segmenter=segmenter, detector=detector)
    before = _table_dump(project)
    # a large second batch: every evaluation file again under new ids, several times over
    for copy in range(6):
        for path in (project.inbox / "evaluation").glob("*.txt"):
            body = path.read_text(encoding="utf-8").replace("id: ev-", f"id: copy{copy}-ev-", 1)
            target = project.inbox / f"batch{copy}" / path.name
            target.parent.mkdir(exist_ok=True)
            target.write_text(body + f"\nResearcher: Thank you.\nDirector: Copy {copy}.\n", encoding="utf-8")
    cli = [sys.executable, "-m", "qualcode.cli", "--verbose", "ingest", str(project.root)]
    process = subprocess.Popen(cli, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env={**os.environ, "COLUMNS": "200"})
    assert process.stderr is not None
    stored, workers = 0, []
    for line in process.stderr:
        stored += "Stored source" in line
        if stored == 5:
            workers = psutil.Process(process.pid).children(recursive=True)
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert _table_dump(project) == before
    # its workers (every core but the writer's) end with it rather than holding their models for ever
    assert workers, "the ingest started no worker"
    _, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, [p.cmdline()[:3] for p in alive]

    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert not report.rejected and len(report.added) == 6 * len(list((project.inbox / "batch0").glob("*.txt")))
    with Store(project.store_path) as store:
        frame = store.segments()
    assert not frame["segment_id"].duplicated().any()
    assert set(before) <= set(_table_dump(project))


def test_a_store_failure_mid_run_changes_nothing_and_blames_no_file(tmp_path: Path, evaluation_project: Project,
                                                                    segmenter: Segmenter, detector: Detector) -> None:
    import sqlite3 as sql

    project, _ = _ingested(tmp_path, evaluation_project)
    before = _table_dump(project)
    (project.inbox / "late.txt").write_text("---\nid: late\n---\nDirector: We rewrote the protocol.\n")
    with sql.connect(project.store_path) as db:  # a real SQLite failure, as a full disk would give
        db.execute("CREATE TRIGGER refuse BEFORE INSERT ON segments WHEN NEW.source_id = 'late' "
                   "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with pytest.raises(sql.Error):
        ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert _table_dump(project) == before
    assert (project.inbox / "late.txt").exists() and not project.rejected.exists()


@pytest.mark.slow
def test_a_file_too_big_to_be_a_transcript_is_set_aside_unread(tmp_path: Path, segmenter: Segmenter,
                                                                detector: Detector) -> None:
    project = make_project(tmp_path, EVALUATION)
    recording = project.inbox / "evaluation" / "interview-recording.txt"
    with recording.open("wb") as handle:
        handle.truncate(2 * 1024**3)  # 2 GB, sparse: reading it whole would take 2 GB of memory
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert [o.name for o in report.rejected] == ["evaluation/interview-recording.txt"]
    assert "inbox.max_file_mb" in report.rejected[0].reason and len(report.added) == len(EVALUATION_FILES)
    assert (project.rejected / "evaluation__interview-recording.txt").stat().st_size == 2 * 1024**3


EVALUATION_FILES = sample_files(EVALUATION)


@pytest.mark.slow
def test_a_file_two_runs_died_reading_is_set_aside_by_the_next(tmp_path: Path, segmenter: Segmenter,
                                                               detector: Detector) -> None:
    project = make_project(tmp_path, EVALUATION)
    # a long file, read first: the gate takes minutes over it, long enough to die while reading it
    sentence = "The social worker visited the family twice and wrote up the plan the same week. "
    (project.inbox / "aaa-long.txt").write_text("Interviewer: Tell me.\nManager: " + sentence * 60_000,
                                                encoding="utf-8")
    marker = project.inbox / ".qualcode-reading.json"
    for deaths in (1, 2):
        process = subprocess.Popen([sys.executable, "-m", "qualcode.cli", "ingest", str(project.root)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(1200):
            if _reading_now(marker) == {"aaa-long.txt": deaths}:
                break
            process.poll()
            assert process.returncode is None, "the ingest ended before reading the long file"
            time.sleep(0.1)
        process.send_signal(signal.SIGKILL)  # the machine runs out of memory, or the run is killed
        process.wait(timeout=60)
        assert json.loads(marker.read_text(encoding="utf-8")) == {"aaa-long.txt": deaths}
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert [o.name for o in report.rejected] == ["aaa-long.txt"] and "2 runs stopped" in report.rejected[0].reason
    assert len(report.added) == len(EVALUATION_FILES) and not marker.exists()


def _reading_now(marker: Path) -> object:
    try:
        return json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@pytest.mark.slow
def test_a_file_still_being_copied_waits_for_the_next_run(tmp_path: Path, segmenter: Segmenter,
                                                          detector: Detector) -> None:
    project = make_project(tmp_path, EVALUATION)
    growing = project.inbox / "arriving.txt"
    growing.write_text("---\nid: arriving\nrole: frontline or middle manager\n---\nInterviewer: Tell me.\n",
                       encoding="utf-8")

    writer = copy_slowly(growing, 30)
    try:
        report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    finally:
        writer.join()
    waiting = [o for o in report.skipped if o.name == "arriving.txt"]
    assert waiting and "still being copied" in waiting[0].reason and not report.rejected
    assert len(report.added) == len(EVALUATION_FILES) and growing.exists()
    time.sleep(1.1)
    again = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert [o.name for o in again.added] == ["arriving.txt"]
    with Store(project.store_path) as store:
        assert "Part 29 of a long answer" in " ".join(store.segments("arriving")["text"])


def test_a_name_that_is_not_utf8_is_ingested_and_links_are_set_aside_never_followed(
        tmp_path: Path, segmenter: Segmenter, detector: Detector) -> None:
    project = init_project(tmp_path / "project")
    inbox = bytes(project.inbox)
    with open(inbox + b"/caf\xe9-notes.txt", "wb") as handle:  # a name from an older system, in Latin-1
        handle.write(b"Interviewer: Tell me.\nManager: Supervision happens monthly and it is recorded.\n")
    (project.inbox / "empty.txt").write_bytes(b"")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.txt").write_text("Manager: Words from outside the inbox must never be read.\n")
    (project.inbox / "linked.txt").symlink_to(outside / "private.txt")
    (project.inbox / "linked-folder").symlink_to(outside, target_is_directory=True)
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert [o.name for o in report.added] == ["caf\ufffd-notes.txt"]
    assert sorted(o.name for o in report.rejected) == ["empty.txt", "linked-folder", "linked.txt"]
    assert all("a link, not a file" in o.reason for o in report.rejected if o.name.startswith("linked"))
    with Store(project.store_path) as store:
        assert "outside the inbox" not in " ".join(store.segments()["text"])
    assert sorted(p.name for p in project.inbox.iterdir() if p.name != "_rejected") == ["caf\udce9-notes.txt"]
    assert (outside / "private.txt").is_file()  # the link moved, not what it points to
    again = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert not again.added and not again.rejected


@pytest.mark.slow
def test_ingest_on_two_workers_stores_exactly_what_one_process_does(tmp_path: Path, segmenter: Segmenter,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes find the spans; the one writer numbers pseudonyms, segments and stores in file order, so
    the store (placeholders and their numbering included) is the same whatever the number of workers; and what a
    worker finds is exactly what the writer would have computed (it computes nothing given the workers' results)."""
    from qualcode.workspace.ingest_workers import detections_ahead
    from qualcode.workspace.wiring import project_detector

    computed: list[int] = []
    original = Detector._detect

    def counted(self: Detector, texts: Sequence[str], labels: tuple[str, ...]) -> list[list[Finding]]:
        computed.append(1)  # in this process only: the workers run the detector as it is
        return original(self, texts, labels)

    monkeypatch.setattr(Detector, "_detect", counted)

    def project_with_files(name: str) -> Project:
        project = init_project(tmp_path / name)
        for path in sample_files(EVALUATION):
            shutil.copy(path, project.inbox / path.name)
        shutil.copytree(SEEDED, project.inbox / "seeded", ignore=shutil.ignore_patterns("originals.txt"))
        return project

    stores, alone = [], 0
    for workers in (1, 2):
        project = project_with_files(f"workers-{workers}")
        computed.clear()
        report = ingest_inbox(project, segmenter=segmenter, workers=workers)
        alone = alone or len(computed)  # what one process computes
        assert len(report.added) == len(sample_files(EVALUATION)) + 5
        with sqlite3.connect(project.store_path) as db:
            stores.append([db.execute(query).fetchall() for query in (
                'SELECT segment_id, text, start, "end", speaker, role FROM segments ORDER BY segment_id',
                "SELECT kind, placeholder FROM pseudonyms ORDER BY placeholder",
                "SELECT source_id, kind, placeholder, count FROM redactions ORDER BY source_id, placeholder")])
    assert stores[0] == stores[1] and len(stores[0][0]) > 100 and len(stores[0][1]) > 5

    project = project_with_files("ahead")
    files = inbox_files(project.inbox)
    detector = project_detector(project)
    with detections_ahead(project.root, files, workers=3) as ahead:  # two workers, here waited for
        for future in ahead.values():
            detections, sentences = future.result()
            detector.known.update(detections)
            segmenter.known.update(sentences)
    assert len(detector.known) >= len(files) and len(segmenter.known) >= len(files) - 5
    computed.clear()
    segmented: list[int] = []
    pipe = segmenter.nlp.pipe
    monkeypatch.setattr(segmenter.nlp, "pipe", lambda *a, **k: segmented.append(1) or pipe(*a, **k))
    ingest_inbox(project, segmenter=segmenter, detector=detector)
    # nearly every result the writer needed, a worker had found; the few it computes are files whose speaker
    # labels name someone an earlier file named (a worker, reading one file alone, cannot know that), and the
    # sentences of files whose words the project's sweep for confirmed names changed
    assert len(computed) <= alone // 5, (len(computed), alone)
    assert len(segmented) <= len(files) // 4, (len(segmented), len(files))


WITHOUT_TORCH = """
import sys
from qualcode.nlp import ner_pipeline, without_torch
without_torch()
doc = ner_pipeline()(sys.argv[1])
print(sys.modules["torch"] is None, "thinc" in sys.modules, [(e.text, e.label_) for e in doc.ents])
"""


def test_an_ingest_worker_runs_spacy_without_torch_and_finds_the_same_entities(detector: Detector) -> None:
    """Ingest's workers keep torch out of their process (thinc would import it with spaCy, unused): the pipeline
    finds exactly what it finds in a process that has torch."""
    text = "Kayleigh Hargreaves rang from Leeds General Infirmary on Monday about the Okafor children."
    ran = subprocess.run([sys.executable, "-c", WITHOUT_TORCH, text], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    with_torch = [(e.text, e.label_) for e in detector.nlp(text).ents]
    assert "torch" in sys.modules and with_torch
    assert ran.stdout.strip() == f"True True {with_torch}"
