"""The embedding cache with the real bundled model: each text is embedded once per model (known by its weights,
not its name or path), and vectors round-trip."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import get_args

import numpy as np
import pytest

from conftest import HashingBackend
from qualcode.coders import DEFAULT_EMBEDDING_MODEL, Embedder
from qualcode.coders.backends import EMBEDDING_BACKENDS, BaseEmbedder, backend_class
from qualcode.coders.embedder import EmbeddingBackend, resolve_model_path
from qualcode.coders.embedding_cache import EmbeddingCache
from qualcode.errors import ModelNotAvailable


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


def _model_folder(root: Path) -> Path:
    """The files of a sentence-transformers model folder (not a loadable model: identity never loads one)."""
    (root / "1_Pooling").mkdir(parents=True)
    (root / "modules.json").write_text('[{"idx": 0, "name": "0", "path": "", "type": "Transformer"}, '
                                       '{"idx": 1, "name": "1", "path": "1_Pooling", "type": "Pooling"}]')
    (root / "config.json").write_text('{"hidden_size": 8}')
    (root / "tokenizer.json").write_text('{"model": {"vocab": {"a": 0}}}')
    (root / "model.safetensors").write_bytes(bytes(range(256)) * 16)
    (root / "1_Pooling" / "config.json").write_text('{"pooling_mode_mean_tokens": true}')
    (root / "README.md").write_text("A model card.")
    return root


def test_a_model_is_known_by_its_weights_not_its_name_or_path(tmp_path: Path) -> None:
    folder = _model_folder(tmp_path / "model")
    identity = Embedder(str(folder)).identity
    assert identity.startswith("transformer:")
    assert Embedder(str(shutil.copytree(folder, tmp_path / "elsewhere" / "renamed"))).identity == identity
    documented = shutil.copytree(folder, tmp_path / "documented")
    (documented / "README.md").write_text("Another model card.")
    (documented / "onnx").mkdir()
    (documented / "onnx" / "model.onnx").write_bytes(b"weights sentence-transformers does not load")
    assert Embedder(str(documented)).identity == identity
    for changed_file in ("model.safetensors", "1_Pooling/config.json"):
        changed = shutil.copytree(folder, tmp_path / f"changed-{changed_file.replace('/', '-')}")
        content = bytearray((changed / changed_file).read_bytes())
        content[10] ^= 1  # one byte
        (changed / changed_file).write_bytes(bytes(content))
        assert Embedder(str(changed)).identity != identity, changed_file
    # the bundled model under both its names and its path
    bundled = Embedder().identity
    assert Embedder("all-MiniLM-L6-v2").identity == Embedder(resolve_model_path(DEFAULT_EMBEDDING_MODEL)).identity \
        == bundled != identity
    with pytest.raises(ModelNotAvailable):
        _ = Embedder(str(tmp_path / "absent")).identity


def test_the_cache_shares_vectors_between_names_of_one_model_and_never_across_models(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    texts = ["Strategy discussions rarely include health.", "Supervision is regular."]
    bundled = Path(resolve_model_path(DEFAULT_EMBEDDING_MODEL))
    original = Embedder(cache=cache)
    vectors = original.encode(texts)
    assert cache.count(original.identity) == 2 and cache.count(DEFAULT_EMBEDDING_MODEL) == 0
    # the same weights under another path (linked, not copied): the same vectors, nothing embedded
    other = tmp_path / "same-weights"
    for path in bundled.rglob("*"):
        if path.is_file():
            (other / path.relative_to(bundled)).parent.mkdir(parents=True, exist_ok=True)
            (other / path.relative_to(bundled)).symlink_to(path)
    same = Embedder(str(other), cache=cache)
    assert np.array_equal(same.encode(texts), vectors) and same.encoded_ == 0
    # the model at that path changed (CLS pooling instead of the mean): its own vectors, none of the old ones
    pooling = other / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.unlink()
    pooling.write_text(json.dumps({**config, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    changed = Embedder(str(other), cache=cache)
    assert changed.identity != original.identity
    assert not np.allclose(changed.encode(texts), vectors, atol=1e-3) and changed.encoded_ == 2
    assert cache.count() == 4 and cache.count(changed.identity) == 2


def test_the_cache_keeps_each_backend_apart(tmp_path: Path, hashing_backend: type[HashingBackend]) -> None:
    """Vectors are keyed by each backend's identity: a second backend on the same texts embeds them all again
    and never reads the first one's (test_static_model checks the same with the distilled static model)."""
    cache = EmbeddingCache(tmp_path / "embeddings.sqlite")
    texts = ["Strategy discussions rarely include health.", "Supervision is regular but not reflective.",
             "The board chair challenges partners on attendance."]
    default = Embedder(cache=cache)
    vectors = default.encode(texts)
    small = Embedder(cache=cache, backend=hashing_backend.name)  # type: ignore[arg-type]
    other = small.encode(texts)
    assert small.encoded_ == 3 and cache.count() == 6 and other.shape == (3, hashing_backend.DIMENSION)
    assert small.identity.startswith("hashing:") and default.identity.startswith("transformer:")
    assert cache.count(default.identity) == cache.count(small.identity) == 3
    again = Embedder(cache=cache, backend=hashing_backend.name)  # type: ignore[arg-type]
    assert np.array_equal(again.encode(texts), other) and again.encoded_ == 0  # each reads its own vectors back
    assert np.array_equal(Embedder(cache=cache).encode(texts), vectors)


def test_backends_are_registered_by_name() -> None:
    assert set(EMBEDDING_BACKENDS) == set(get_args(EmbeddingBackend)) == {"transformer", "int8", "static"}
    assert all(issubclass(cls, BaseEmbedder) and cls.name == name for name, cls in EMBEDDING_BACKENDS.items())
    assert isinstance(Embedder().embedding_backend, EMBEDDING_BACKENDS["transformer"])
    with pytest.raises(ValueError, match="Unknown embedding backend 'onnx': use one of transformer, int8, static"):
        backend_class("onnx")
