"""Learning from human coding: a classifier per code on the embeddings, with honest agreement figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from qualcode.evaluation import agreement_table


class TrainedCoder:
    """One logistic regression per code (one-vs-rest) on statement embeddings.

    Args:
        code_ids: the codes, in output column order.
        C: inverse regularisation strength.
        random_state: passed through to the classifiers.
    """

    def __init__(self, code_ids: list[str], C: float = 4.0, random_state: int = 0) -> None:
        self.code_ids = code_ids
        self.C = C
        self.random_state = random_state

    def fit(self, vectors: np.ndarray, labels: np.ndarray) -> TrainedCoder:
        """`labels` is (statements x codes) 0/1; a code never (or always) seen keeps a constant rate."""
        self.models_: list[LogisticRegression | float] = []
        for column in labels.T:
            if 0 < column.sum() < len(column):
                model = LogisticRegression(C=self.C, max_iter=2000, random_state=self.random_state)
                self.models_.append(model.fit(vectors, column))
            else:
                self.models_.append(float(column.mean()) if len(column) else 0.0)
        return self

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        columns = [m.predict_proba(vectors)[:, 1] if isinstance(m, LogisticRegression)
                   else np.full(len(vectors), m) for m in self.models_]
        return np.stack(columns, axis=1) if columns else np.zeros((len(vectors), 0))


def cross_validated(vectors: np.ndarray, labels: np.ndarray, code_ids: list[str], *, extra: tuple[np.ndarray,
                    np.ndarray] | None = None, folds: int = 5, threshold: float = 0.5,
                    random_state: int = 0) -> pd.DataFrame:
    """Agreement of a trained coder with the human codes, each statement predicted by a model that never saw
    it. `extra` (vectors, labels) are always in training (the codebook's examples)."""
    predicted = np.zeros_like(labels, dtype=float)
    splitter = KFold(n_splits=min(folds, len(vectors)), shuffle=True, random_state=random_state)
    for train, test in splitter.split(vectors):
        x, y = vectors[train], labels[train]
        if extra is not None:
            x, y = np.vstack([x, extra[0]]), np.vstack([y, extra[1]])
        model = TrainedCoder(code_ids, random_state=random_state).fit(x, y)
        predicted[test] = model.predict_proba(vectors[test])
    return agreement_table(labels.astype(bool), predicted >= threshold, code_ids)


def most_informative(probabilities: np.ndarray, count: int) -> np.ndarray:
    """Indices of the statements a person should code next: where the model is least sure (uncertainty
    sampling on the code closest to an even chance)."""
    if probabilities.size == 0:
        return np.arange(0)
    uncertainty = 1.0 - 2.0 * np.abs(probabilities - 0.5).min(axis=1)
    return np.argsort(-uncertainty, kind="stable")[:count]
