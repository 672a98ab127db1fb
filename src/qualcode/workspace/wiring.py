"""One place that wires a project: its codebook, models, coding engine, gate and hypotheses, from its settings.

Every operation on a project (`qualcode.workspace`) builds its components here, so the CLI, the flows, the
notebooks and the web app code, gate and report with exactly the same pieces.
"""

from __future__ import annotations

from qualcode.anonymise.detector import Detector
from qualcode.codebook import Codebook, load_codebook, resolve_codebook_path
from qualcode.coders.digest import TOP_K, coding_digest, coding_settings
from qualcode.coders.embedder import Embedder
from qualcode.coders.embedding_cache import EmbeddingCache
from qualcode.coders.engine import CodingEngine, EngineSettings
from qualcode.evidence.hypotheses import HypothesisSet, load_hypotheses
from qualcode.nlp import lemma_pipeline, ner_pipeline, pipeline_identity
from qualcode.project import Project

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
    """The project's coding engine, fitted; embeddings go through the project's cache."""
    embedder = embedder or project_embedder(project)
    return CodingEngine(project_codebook(project), embedder, lemma_pipeline(project.config.spacy_model),
                        project_engine_settings(project), random_state=RANDOM_STATE).fit()


def project_coding_digest(project: Project) -> str:
    """The digest of the codings `project_engine` gives (`qualcode.coders.digest`), read from the settings and
    the models' files without loading any model: the same value as `engine_digest(project_engine(project))`."""
    settings = coding_settings(project_engine_settings(project), RANDOM_STATE, TOP_K)
    models = {"embedding": project_embedder(project).identity, "spacy": pipeline_identity(project.config.spacy_model)}
    return coding_digest(project_codebook(project), settings, models)


def project_detector(project: Project) -> Detector:
    """The anonymisation detector with the project's spaCy pipeline, allow and deny lists and threshold."""
    settings = project.config.anonymisation
    return Detector(ner_pipeline(project.config.spacy_model), allow=settings.allow, deny=settings.deny,
                    score_threshold=settings.score_threshold)


def project_hypotheses(project: Project, codebook: Codebook) -> HypothesisSet:
    """The project's hypotheses file, or none yet (a briefing still charts the matrix and voices)."""
    path = project.root / project.config.evidence.hypotheses
    return load_hypotheses(path, codebook) if path.is_file() else HypothesisSet()
