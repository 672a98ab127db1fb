"""What every embedding backend does: texts in, unit vectors out, and a name for the weights it runs.

In the manner of BERTopic's `bertopic.backend.BaseEmbedder`: one small base, one class per way of running a
model. `qualcode.coders.Embedder` picks a backend by name (`qualcode.coders.backends.EMBEDDING_BACKENDS`) and
adds the embedding cache in front of it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

import numpy as np


class BaseEmbedder(ABC):
    """One way of embedding texts with one model.

    Args:
        model: the model as the user named it: the bundled model's name, a local folder, or a model already in
            the local Hugging Face cache.
        batch_size: texts per forward pass, where the backend batches.
        device: where the model runs (`cpu`, `cuda`).
    """

    name: ClassVar[str]  # the backend's name in the registry, and the prefix of `identity`

    def __init__(self, model: str, batch_size: int = 32, device: str = "cpu") -> None:
        self.model = model
        self.batch_size = batch_size
        self.device = device

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(texts x dimension) float32 unit vectors, one row per text, in order; loads the model on first use."""

    @property
    @abstractmethod
    def dimension(self) -> int:
        """The length of each vector."""

    @property
    @abstractmethod
    def identity(self) -> str:
        """`<backend name>:<content hash of the weights this backend loads>`: equal for two names or copies of
        the same weights, different when a weight changes. Computed from the files, without loading the model."""
