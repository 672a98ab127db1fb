"""Strength, area for improvement or neutral: learned from the codebook's valence examples."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from qualcode.codebook.model import Codebook, Valence
from qualcode.coders.embedder import Embedder


class ValenceCoder:
    """A multinomial classifier on embeddings of the codebook's `valence_examples`."""

    def __init__(self, embedder: Embedder, codebook: Codebook, C: float = 2.0, random_state: int = 0) -> None:
        self.embedder = embedder
        self.codebook = codebook
        self.C = C
        self.random_state = random_state

    def fit(self) -> ValenceCoder:
        if self.codebook.valence_examples is None:
            raise ValueError("this codebook has no valence examples")
        texts, labels = [], []
        for valence, examples in self.codebook.valence_examples.by_class().items():
            texts += examples
            labels += [valence] * len(examples)
        self.model_ = LogisticRegression(C=self.C, max_iter=1000, random_state=self.random_state)
        self.model_.fit(self.embedder.encode(texts), labels)
        return self

    def predict(self, vectors: np.ndarray) -> list[Valence]:
        return [str(v) for v in self.model_.predict(vectors)]  # type: ignore[misc]
