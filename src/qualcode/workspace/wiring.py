"""One place that wires a project: its codebook, models, coding engine, gate and hypotheses, from its settings.

Every operation on a project (`qualcode.workspace`) builds its components here, so the CLI, the flows, the
notebooks and the web app code, gate and report with exactly the same pieces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from qualcode.codebook import Codebook, load_codebook, resolve_codebook_path
from qualcode.coders.digest import TOP_K, coding_digest, coding_settings
from qualcode.coders.embedder import Embedder
from qualcode.coders.embedding_cache import EmbeddingCache
from qualcode.coders.settings import EngineSettings
from qualcode.coders.teaching import teaching, teaching_digest
from qualcode.evidence.hypotheses import HypothesisSet, load_hypotheses
from qualcode.nlp import lemma_pipeline, ner_pipeline, pipeline_identity, sentence_pipeline
from qualcode.project import Project
from qualcode.store import Store

if TYPE_CHECKING:  # imported where built: deciding whether a night has work reads settings and digests only
    from qualcode.anonymise.detector import Detector
    from qualcode.coders.engine import CodingEngine
    from qualcode.segment import Segmenter

RANDOM_STATE = 0


def project_codebook(project: Project) -> Codebook:
    return load_codebook(resolve_codebook_path(project.config.coding.codebook, base=project.root))


def project_embedder(project: Project) -> Embedder:
    """The project's embedding model and backend, through its embedding cache unless that is turned off."""
    settings = project.config.coding
    cache = EmbeddingCache(project.embedding_cache) if settings.embedding_cache else None
    return Embedder(settings.embedding_model, cache=cache, backend=settings.embedding_backend)


def project_engine_settings(project: Project) -> EngineSettings:
    settings = project.config.coding
    return EngineSettings(context_weight=settings.context_weight, turn_weight=settings.turn_weight,
                          threshold=settings.threshold, top_threshold=settings.top_threshold)


def project_engine(project: Project, embedder: Embedder | None = None) -> CodingEngine:
    """The project's coding engine, fitted on the codebook and on what people's decisions teach
    (`qualcode.coders.teaching`); embeddings go through the project's cache."""
    from qualcode.coders.engine import CodingEngine

    embedder = embedder or project_embedder(project)
    codebook = project_codebook(project)
    engine = CodingEngine(codebook, embedder, lemma_pipeline(project.config.spacy_model),
                          project_engine_settings(project), random_state=RANDOM_STATE)
    taught = project_teaching(project, codebook)
    if taught.empty:
        return engine.fit()
    with Store(project.store_path) as store:
        segments = store.segments()
    answers = segments["source_id"].astype(str) + "#" + segments["turn_index"].astype(str)
    decided = segments["segment_id"].isin(set(taught["segment_id"]))
    statements = as_statements(segments[answers.isin(set(answers[decided]))]).reset_index(drop=True)
    human = taught.merge(statements, on="segment_id", how="inner")
    return engine.fit(human, statements)


def project_teaching(project: Project, codebook: Codebook) -> pd.DataFrame:
    """What the project's decisions on this codebook teach its engine (`TEACHING_COLUMNS`)."""
    with Store(project.store_path) as store:
        decisions = store.decisions(codebook.name)
    return teaching(decisions, [c.id for c in codebook.leaves])


def as_statements(segments: pd.DataFrame) -> pd.DataFrame:
    """Store rows (`Store.segments()` columns) as the engine reads them: segment_id, text, question, and turn, the
    answer each is part of (its source and turn)."""
    return pd.DataFrame({"segment_id": segments["segment_id"], "text": segments["text"],
                         "question": segments["question"].fillna(""),
                         "turn": segments["source_id"].astype(str) + "#" + segments["turn_index"].astype(str)})


def project_coding_digest(project: Project) -> str:
    """The digest of the codings `project_engine` gives (`qualcode.coders.digest`), read from the settings, the
    decisions and the models' files without loading any model: the same value as
    `engine_digest(project_engine(project))`."""
    codebook = project_codebook(project)
    taught = teaching_digest(project_teaching(project, codebook))
    settings = coding_settings(project_engine_settings(project), RANDOM_STATE, TOP_K, taught)
    models = {"embedding": project_embedder(project).identity, "spacy": pipeline_identity(project.config.spacy_model)}
    return coding_digest(codebook, settings, models)


def project_detector(project: Project) -> Detector:
    """The anonymisation detector with the project's spaCy pipeline, allow and deny lists and threshold."""
    from qualcode.anonymise.detector import Detector

    settings = project.config.anonymisation
    return Detector(ner_pipeline(project.config.spacy_model), allow=settings.allow, deny=settings.deny,
                    score_threshold=settings.score_threshold)


def project_segmenter(project: Project) -> Segmenter:
    """The statement segmenter with the project's spaCy pipeline and segmentation settings."""
    from qualcode.segment import Segmenter

    return Segmenter(sentence_pipeline(project.config.spacy_model), project.config.segmentation.settings())


def project_hypotheses(project: Project, codebook: Codebook) -> HypothesisSet:
    """The project's hypotheses file, or none yet (a briefing still charts the matrix and voices)."""
    path = project.root / project.config.evidence.hypotheses
    return load_hypotheses(path, codebook) if path.is_file() else HypothesisSet()
