"""The embedding cache with the real bundled model: each text is embedded once per model, and vectors round-trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from qualcode.coders import Embedder
from qualcode.coders.embedding_cache import EmbeddingCache


def test_cached_embedder_embeds_each_text_once_and_returns_the_same_vectors(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    texts = ["Strategy discussions rarely include health.", "Supervision is regular.",
             "Strategy discussions rarely include health."]
    plain = Embedder().encode(texts)
    first = Embedder(cache=cache)
    vectors = first.encode(texts)
    assert first.encoded_ == 2 and cache.count() == 2
    assert np.allclose(vectors, plain, atol=1e-6)
    again = Embedder(cache=cache)
    assert np.array_equal(again.encode(texts[::-1]), vectors[::-1]) and again.encoded_ == 0
    more = again.encode(["A new statement about the board.", texts[1]])
    assert again.encoded_ == 1 and cache.count() == 3 and np.array_equal(more[1], vectors[1])
    assert cache.count("another-model") == 0 and cache.get("another-model", ["x"]) == {}


def test_cache_holds_vectors_never_text(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite"
    Embedder(cache=EmbeddingCache(path)).encode(["The child's voice is heard in planning meetings."])
    assert b"voice is heard" not in path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or b"voice is heard" not in wal.read_bytes()
