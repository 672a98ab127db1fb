"""Ingest on every core: worker processes find the identifying spans and the sentences in the inbox's files ahead of
the one process that pseudonymises, segments and stores them in order.

Finding spans (the detector: spaCy's NER and the name evidence) is most of ingest's time and is a pure function of a
file's words and the project's settings, so workers compute it, each with the project's own detector, by reading
the file as ingest will (through a gate with a throwaway registry, whose output is dropped). The writer gives each
result to its detector (`Detector.known`), which uses a result only for exactly the same input and computes anything
else itself. The sentences are found the same way: the sentence model reads a turn blind to its placeholders' numbers
(`qualcode.segment.blind`), so what a worker found is used whenever its view of the turns is the writer's. Pseudonym
numbering, the sweep for confirmed names, cutting sentences into statements and every store write stay in the one
writer, in file order: the store is the same whatever the number of workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.anonymise.entities import Finding
from qualcode.anonymise.pseudonyms import Pseudonyms
from qualcode.segment import Segmenter, Sentences

if TYPE_CHECKING:  # spaCy is imported in a worker only once `_start` has kept torch out
    from qualcode.anonymise.detector import Detector

log = logging.getLogger(__name__)

MIN_FILES = 4  # fewer new files than this are read in the writer alone: starting a worker costs seconds
Detections = dict[str, list[list[Finding]]]
Found = tuple[Detections, dict[str, Sentences]]  # what reading one file asked the detector and the segmenter

_worker: tuple[object, Detector, Segmenter] | None = None  # (the project, its detector, its segmenter), in a worker


def _start(root: str, parent: int) -> None:
    """A worker's start: locked down as every qualcode process is, with the project's own detector and segmenter.
    A worker only reads and anonymises, so spaCy is loaded without torch (`qualcode.nlp.without_torch`)."""
    global _worker
    from qualcode.nlp import without_torch

    without_torch()
    from qualcode.lifetime import exit_with_parent
    from qualcode.offline import lock_down

    exit_with_parent(parent)  # an ingest killed outright takes its workers with it
    from qualcode.project import Project
    from qualcode.workspace.wiring import project_detector, project_segmenter

    lock_down()
    project = Project.open(Path(root))
    _worker = (project, project_detector(project), project_segmenter(project))


def _detections(path: str) -> Found:
    """Every detector and segmenter result reading one file asks for; nothing at all when the file cannot be read
    (the writer then reads it itself, and says why it is refused)."""
    from qualcode.anonymise.gate import Anonymiser
    from qualcode.ingest.indicators import read_indicators
    from qualcode.ingest.readers import read_source
    from qualcode.project import Project
    from qualcode.workspace.inbox import MB
    from qualcode.workspace.ingest import manifest_for, shown_name

    assert _worker is not None
    project, detector, segmenter = _worker
    assert isinstance(project, Project)
    file = Path(path)
    recorded: Detections = {}
    sentences: dict[str, Sentences] = {}
    detector.recording, segmenter.recording = recorded, sentences
    try:
        if file.is_symlink() or file.stat().st_size > project.config.inbox.max_file_mb * MB:
            return {}, {}
        if read_indicators(file, file.read_bytes()) is not None:
            return {}, {}  # performance data: figures, read in the writer
        gate = Anonymiser(detector, Pseudonyms(secrets.token_bytes(32)))
        source, _ = read_source(file, file.read_bytes(), name=shown_name(file, project.inbox),
                                manifest=manifest_for(project, file), require_metadata=project.config.require_metadata,
                                gate=gate)
        segmenter.sentences(source)
    except Exception:  # the writer meets the same problem and reports it properly
        pass
    finally:
        detector.recording = segmenter.recording = None
    return recorded, sentences


@contextmanager
def detections_ahead(root: Path, files: list[Path], workers: int) -> Iterator[dict[Path, Future[Found]]]:
    """Start finding the spans of `files` on `workers` - 1 processes (the writer is the last worker: it takes any
    file no process has started, see `take`); yields each file's future result (empty when there are too few
    files to be worth a process). The pool is shut down, unfinished work dropped, on leaving."""
    if workers < 2 or len(files) < MIN_FILES:
        yield {}
        return
    # spawn, not fork: the writer may run in a Prefect task thread, and forking a threaded process can deadlock
    pool = ProcessPoolExecutor(max_workers=min(workers - 1, len(files)),
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(str(root), os.getpid()))
    try:
        # last file first: the workers work back from the end while the writer works forward from the start,
        # taking every file they have not started, so the two meet wherever the work balances
        yield {path: pool.submit(_detections, str(path)) for path in reversed(files)}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def take(detector: Detector, segmenter: Segmenter, ahead: dict[Path, Future[Found]], path: Path) -> None:
    """Give the detector and the segmenter what a worker found in `path`. A file no worker has started yet the
    writer reads itself rather than wait (so every core keeps busy); a worker that died found nothing, and the
    writer reads that file itself too."""
    future = ahead.get(path)
    if future is None or future.cancel():
        return
    try:
        detections, sentences = future.result()
        detector.known.update(detections)
        segmenter.known.update(sentences)
    except (BrokenProcessPool, OSError, RuntimeError) as exc:
        log.debug("A detection worker failed (%s); reading the file here", type(exc).__name__)
