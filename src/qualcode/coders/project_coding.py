"""Coding a project's store: every statement not yet coded with the project's codebook version."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache

import spacy
from spacy.language import Language

from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders.embedder import Embedder
from qualcode.coders.engine import CodingEngine, EngineSettings
from qualcode.errors import ModelNotAvailable
from qualcode.nlp import DEFAULT_SPACY_MODEL
from qualcode.project import Project
from qualcode.store import Store

log = logging.getLogger(__name__)
BATCH = 512  # statements coded and written per transaction: bounded memory, and progress survives a kill


@lru_cache(maxsize=2)
def lemma_pipeline(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """The spaCy components the rules need: tagger and lemmatizer, no parser or NER."""
    try:
        return spacy.load(name, exclude=["parser", "ner"])
    except OSError:
        raise ModelNotAvailable(f"The spaCy pipeline {name!r} is not installed.") from None


def project_engine(project: Project, embedder: Embedder | None = None) -> CodingEngine:
    settings = project.config.coding
    codebook = load_codebook(resolve_codebook_path(settings.codebook, base=project.root))
    engine = CodingEngine(codebook, embedder or Embedder(settings.embedding_model),
                          lemma_pipeline(project.config.spacy_model),
                          EngineSettings(context_weight=settings.context_weight, threshold=settings.threshold,
                                         top_threshold=settings.top_threshold))
    return engine.fit()


def code_project(project: Project, engine: CodingEngine | None = None, top_k: int = 3,
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Code the statements not yet coded with this codebook version; returns how many were coded."""
    engine = engine or project_engine(project)
    provenance = engine.provenance
    with Store(project.store_path) as store:
        pending = store.uncoded_segments(provenance["codebook"], provenance["codebook_version"])
        for start in range(0, len(pending), BATCH):
            batch = pending.iloc[start:start + BATCH].reset_index(drop=True)
            store.add_codings(engine.code(batch, top_k=top_k))
            if progress is not None:
                progress(min(start + BATCH, len(pending)), len(pending))
    log.info("Coded %d statements with %s %s", len(pending), provenance["codebook"],
             provenance["codebook_version"])
    return len(pending)

