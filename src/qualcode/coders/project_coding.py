"""Coding a project's store: every statement not yet coded with the project's codebook version."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import lru_cache

import pandas as pd
import spacy
from spacy.language import Language

from qualcode.codebook import Codebook, load_codebook, resolve_codebook_path
from qualcode.coders.embedder import Embedder
from qualcode.coders.embedding_cache import EmbeddingCache
from qualcode.coders.engine import CodingEngine, EngineSettings
from qualcode.errors import ModelNotAvailable
from qualcode.nlp import DEFAULT_SPACY_MODEL
from qualcode.project import Project
from qualcode.store import Store

log = logging.getLogger(__name__)
BATCH = 512  # statements coded and written per transaction: bounded memory, and progress survives a kill
TOP_K = 3  # best codes kept per statement even when not assigned: what a reviewer is offered


@lru_cache(maxsize=2)
def lemma_pipeline(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """The spaCy components the rules need: tagger and lemmatizer, no parser or NER."""
    try:
        return spacy.load(name, exclude=["parser", "ner"])
    except OSError:
        raise ModelNotAvailable(f"The spaCy pipeline {name!r} is not installed.") from None


def project_codebook(project: Project) -> Codebook:
    return load_codebook(resolve_codebook_path(project.config.coding.codebook, base=project.root))


def project_embedder(project: Project) -> Embedder:
    """The project's embedding model and backend, through its embedding cache unless that is turned off."""
    settings = project.config.coding
    cache = EmbeddingCache(project.embedding_cache) if settings.embedding_cache else None
    return Embedder(settings.embedding_model, cache=cache, backend=settings.embedding_backend)


def project_engine(project: Project, embedder: Embedder | None = None) -> CodingEngine:
    """The project's coding engine, fitted; embeddings go through the project's cache."""
    settings = project.config.coding
    embedder = embedder or project_embedder(project)
    engine = CodingEngine(project_codebook(project), embedder, lemma_pipeline(project.config.spacy_model),
                          EngineSettings(context_weight=settings.context_weight, turn_weight=settings.turn_weight,
                                         threshold=settings.threshold, top_threshold=settings.top_threshold))
    return engine.fit()


def as_statements(segments: pd.DataFrame) -> pd.DataFrame:
    """Store rows (`Store.segments()` columns) as the engine reads them: id, text, question, and turn, the
    answer each is part of (its source and turn)."""
    return pd.DataFrame({"id": segments["segment_id"], "text": segments["text"],
                         "question": segments["question"].fillna(""),
                         "turn": segments["source_id"].astype(str) + "#" + segments["turn_index"].astype(str)})


def pending_batches(project: Project, codebook: Codebook, size: int = BATCH) -> Iterator[pd.DataFrame]:
    """The statements not yet coded with this codebook version, a batch at a time (columns id, text,
    question, turn), read from the store as they are needed: memory holds one batch, however large the
    corpus. A batch ends with a whole answer, so each statement is read with all of its answer (an answer
    longer than `size` is a batch of its own). Each batch is saved in its own transaction, so a run killed
    part way loses nothing already saved."""
    after: tuple[str, int] | None = None
    while True:
        with Store(project.store_path) as store:
            batch = store.uncoded_segments(codebook.name, codebook.version, limit=size, after=after)
            if len(batch) == size:  # the last answer may go on past this page: take it whole
                source, idx, turn = batch[["source_id", "idx", "turn_index"]].iloc[-1]
                rest = store.uncoded_segments(codebook.name, codebook.version, after=(str(source), int(idx)),
                                              turn=(str(source), int(turn)))  # int: sqlite binds numpy ints as blobs
                batch = pd.concat([batch, rest], ignore_index=True)
        if batch.empty:
            return
        after = (str(batch["source_id"].iloc[-1]), int(batch["idx"].iloc[-1]))
        yield as_statements(batch.rename(columns={"id": "segment_id"}))


def save_codings(project: Project, codings: pd.DataFrame) -> None:
    with Store(project.store_path) as store:
        store.add_codings(codings)


def code_project(project: Project, engine: CodingEngine | None = None, top_k: int = TOP_K,
                 progress: Callable[[int, int], None] | None = None, batch_size: int = BATCH) -> int:
    """Code the statements not yet coded with this codebook version; returns how many were coded. With
    nothing to code, no model is loaded."""
    codebook = engine.codebook if engine is not None else project_codebook(project)
    with Store(project.store_path) as store:
        total, done = store.count_uncoded(codebook.name, codebook.version), 0
    for batch in pending_batches(project, codebook, batch_size):
        engine = engine or project_engine(project)
        save_codings(project, engine.code(batch, top_k=top_k))
        done += len(batch)
        if progress is not None:
            progress(done, total)
    log.info("Coded %d statements with %s %s", done, codebook.name, codebook.version)
    return done
