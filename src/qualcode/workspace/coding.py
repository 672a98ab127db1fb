"""Coding a project's store: every statement without a coding of the project's current coding digest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pandas as pd

from qualcode.codebook import Codebook
from qualcode.coders.digest import TOP_K, engine_digest
from qualcode.coders.engine import CodingEngine
from qualcode.project import Project
from qualcode.store import Store
from qualcode.workspace.wiring import as_statements, project_codebook, project_coding_digest, project_engine

log = logging.getLogger(__name__)
BATCH = 512  # statements coded and written per transaction: bounded memory, and progress survives a kill


def pending_batches(project: Project, codebook: Codebook, digest: str, size: int = BATCH
                    ) -> Iterator[pd.DataFrame]:
    """The statements without a coding of this digest (new, or coded with an older codebook, setting or
    model), a batch at a time (columns segment_id, text, question, turn), read from the store as they are needed:
    memory holds one batch, however large the corpus. A batch ends with a whole answer, so each statement is
    read with all of its answer (an answer longer than `size` is a batch of its own). Each batch is saved in
    its own transaction, so a run killed part way loses nothing already saved."""
    after: tuple[str, int] | None = None
    while True:
        with Store(project.store_path) as store:
            batch = store.uncoded_segments(codebook.name, digest, limit=size, after=after)
            if len(batch) == size:  # the last answer may go on past this page: take it whole
                source, index, turn = batch[["source_id", "index", "turn_index"]].iloc[-1]
                rest = store.uncoded_segments(codebook.name, digest, after=(str(source), int(index)),
                                              turn=(str(source), int(turn)))  # int: sqlite binds numpy ints as blobs
                batch = pd.concat([batch, rest], ignore_index=True)
        if batch.empty:
            return
        after = (str(batch["source_id"].iloc[-1]), int(batch["index"].iloc[-1]))
        yield as_statements(batch)


def save_codings(project: Project, codings: pd.DataFrame, digest: str) -> None:
    with Store(project.store_path) as store:
        store.add_codings(codings, digest)


def code_project(project: Project, engine: CodingEngine | None = None, top_k: int = TOP_K,
                 progress: Callable[[int, int], None] | None = None, batch_size: int = BATCH,
                 digest: str | None = None) -> int:
    """Code the statements without a coding of the current digest (the engine's, when one is given: its
    codebook, settings and models); returns how many were coded. With nothing to code, no model is loaded."""
    codebook = engine.codebook if engine is not None else project_codebook(project)
    digest = digest or (engine_digest(engine, top_k) if engine is not None else project_coding_digest(project))
    with Store(project.store_path) as store:
        total, done = store.count_uncoded(codebook.name, digest), 0
    for batch in pending_batches(project, codebook, digest, batch_size):
        engine = engine or project_engine(project)
        save_codings(project, engine.code(batch, top_k=top_k), digest)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    log.info("Coded %d statements with %s %s (coding digest %s)", done, codebook.name, codebook.version, digest)
    return done
