"""Coding from the codebook alone: a classifier learned from each code's examples, definition and notes.

Nothing a person coded is used: the codebook is the training set. Its probabilities are then calibrated
(Platt scaling) on cross-validated predictions for the codebook's own examples, so a confidence says how
often a code given that confidence was right there. Real statements are messier than examples, so the gold
set checks how far that holds (README: Coding).
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from qualcode.codebook.model import Code, Codebook
from qualcode.coders.embedder import Embedder


def code_texts(code: Code) -> list[str]:
    """What a code is learned from: its examples, its label with definition, and its inclusion notes."""
    return [*code.examples, f"{code.label}: {code.definition}", *code.include]


class ZeroShotCoder:
    """Multinomial logistic regression over a codebook's leaf codes, on sentence embeddings.

    Args:
        embedder: the sentence embedder (injected).
        codebook: the framework.
        C: inverse regularisation strength of the classifier.
        random_state: passed through to the classifier and the folds.
    """

    def __init__(self, embedder: Embedder, codebook: Codebook, C: float = 8.0, random_state: int = 0) -> None:
        self.embedder = embedder
        self.codebook = codebook
        self.C = C
        self.random_state = random_state

    def fit(self) -> ZeroShotCoder:
        leaves = self.codebook.leaves
        self.code_ids_ = [c.id for c in leaves]
        texts, owners = [], []
        for index, code in enumerate(leaves):
            for text in code_texts(code):
                texts.append(text)
                owners.append(index)
        vectors, labels = self.embedder.encode(texts), np.asarray(owners)
        self.classifier_ = self._classifier().fit(vectors, labels)
        folds = StratifiedKFold(n_splits=min(5, int(np.bincount(labels).min())), shuffle=True,
                                random_state=self.random_state)
        held_out = cross_val_predict(self._classifier(), vectors, labels, cv=folds, method="predict_proba")
        truth = np.zeros_like(held_out, dtype=int)
        truth[np.arange(len(labels)), labels] = 1
        self.calibrator_ = LogisticRegression(random_state=self.random_state).fit(
            _logit(held_out).reshape(-1, 1), truth.reshape(-1))
        return self

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """(statements x codes) calibrated confidence that each code applies."""
        raw = self.classifier_.predict_proba(vectors)
        calibrated = self.calibrator_.predict_proba(_logit(raw).reshape(-1, 1))[:, 1]
        return np.asarray(calibrated.reshape(raw.shape))

    def _classifier(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, max_iter=3000, random_state=self.random_state)


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(clipped / (1 - clipped)))
