"""The code classifier: learned from the codebook (zero-shot) and, when given, from human coding too.

It is a multinomial logistic regression over a codebook's leaf codes, on sentence embeddings. Its
probabilities are calibrated (Platt scaling) on cross-validated predictions for its own training data, so a
confidence says how often a code given that confidence was right there. Real statements are messier than
codebook examples, so the gold sets check how far that holds (README: Coding).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from qualcode.codebook.model import Code


def code_texts(code: Code) -> list[str]:
    """What a code is learned from: its examples, its label with definition, and its inclusion notes."""
    return [*code.examples, f"{code.label}: {code.definition}", *code.include]


class CodeClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # scikit-learn has no type information
    """A scikit-learn classifier: `fit(X, y, sample_weight)`, then `predict_proba` and `predict`.

    Args:
        n_codes: how many codes (the columns of `predict_proba`; the classes are 0 to n_codes - 1, whether or
            not each was seen in training).
        C: inverse regularisation strength.
        random_state: passed through to the classifier and the folds.
    """

    def __init__(self, n_codes: int, C: float = 8.0, random_state: int = 0) -> None:
        self.n_codes = n_codes
        self.C = C
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> CodeClassifier:
        """`X` holds one vector per row and `y` one code index per row; a statement with two codes comes as
        two rows."""
        vectors, labels = X, np.asarray(y)
        weights = np.ones(len(labels)) if sample_weight is None else sample_weight
        self.classes_ = np.arange(self.n_codes)
        self.classifier_ = self._classifier().fit(vectors, labels, sample_weight=weights)
        smallest = int(np.bincount(labels, minlength=self.n_codes)[np.unique(labels)].min())
        if smallest >= 2:
            folds = StratifiedKFold(n_splits=min(5, smallest), shuffle=True, random_state=self.random_state)
            held_out = cross_val_predict(self._classifier(), vectors, labels, cv=folds, method="predict_proba",
                                         params={"sample_weight": weights})
        else:  # a code learned from one text cannot be held out: calibrate in-sample (optimistic)
            held_out = self.classifier_.predict_proba(vectors)
        truth = np.zeros_like(held_out, dtype=int)
        truth[np.arange(len(labels)), np.searchsorted(np.unique(labels), labels)] = 1
        self.calibrator_ = LogisticRegression(random_state=self.random_state).fit(
            _logit(held_out).reshape(-1, 1), truth.reshape(-1))
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(statements x codes) calibrated confidence that each code applies (each on its own: a row need
        not sum to one)."""
        raw = np.zeros((len(X), self.n_codes))
        raw[:, self.classifier_.classes_] = self.classifier_.predict_proba(X)
        calibrated = self.calibrator_.predict_proba(_logit(raw).reshape(-1, 1))[:, 1]
        return np.asarray(calibrated.reshape(raw.shape))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most likely code of each statement."""
        return np.asarray(self.classes_[self.predict_proba(X).argmax(axis=1)])

    def _classifier(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, max_iter=3000, random_state=self.random_state)


def most_informative(probabilities: np.ndarray, count: int) -> np.ndarray:
    """Indices of the statements a person should code next: where the model is least sure (uncertainty
    sampling on the code closest to an even chance)."""
    if probabilities.size == 0:
        return np.arange(0)
    uncertainty = 1.0 - 2.0 * np.abs(probabilities - 0.5).min(axis=1)
    return np.argsort(-uncertainty, kind="stable")[:count]


def _logit(p: np.ndarray) -> np.ndarray:
    clipped = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(clipped / (1 - clipped)))
