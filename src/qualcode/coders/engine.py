"""The coding engine: rules, embeddings and (when given) human coding combined, with provenance.

Every output row says which method produced it, how confident it is, and which codebook version and model
made it, so any cell of any matrix later on can be traced back.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GroupKFold, cross_val_predict
from spacy.language import Language

from qualcode.codebook.model import VALENCES, Codebook, Valence
from qualcode.coders.classifier import CodeClassifier, code_texts, most_informative
from qualcode.coders.embedder import Embedder
from qualcode.coders.embedding_cache import EmbeddingCache
from qualcode.coders.rules import RulesCoder
from qualcode.coders.settings import TOP_THRESHOLD, EngineSettings
from qualcode.coders.teaching import TEACHING_COLUMNS, teaching_digest
from qualcode.coders.valence import ValenceCoder
from qualcode.evaluation import agreement_table
from qualcode.schemas import CODINGS, STATEMENTS
from qualcode.text import for_models
from qualcode.usercache import user_cache_dir

CODING_COLUMNS = CODINGS.names
RULE_WEIGHT = 0.15  # a keyword hit alone is weak evidence (precision about 0.5 on the gold set): noisy-OR
CODEBOOK_VECTORS = "codebook-vectors.sqlite"  # in the user's cache: see `codebook_embedder`
HUMAN_WEIGHT = 2.0  # a statement a person coded counts as much as two codebook examples


def assign_codes(confidence: np.ndarray, thresholds: np.ndarray, top_threshold: float) -> np.ndarray:
    """Which codes each statement gets: any code over its threshold, and the most likely one over
    `top_threshold`; a statement with nothing that likely gets no code."""
    assigned = confidence >= thresholds
    if confidence.size:
        best = confidence.argmax(axis=1)
        rows = np.arange(len(confidence))
        assigned[rows, best] |= confidence[rows, best] >= top_threshold
    return np.asarray(assigned)


class StatementClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # scikit-learn has no type information
    """The engine's learned part, on statement vectors: a `CodeClassifier` learned from the codebook's texts
    and, when fitted on any, from statements a person coded; and the engine's rule for which codes to assign.
    A scikit-learn multi-label classifier, so the engine measures it with `cross_val_predict`.

    Args:
        book_vectors: embeddings of the codebook's texts (`code_texts`), always learned from.
        book_labels: the code index of each of those texts.
        thresholds: confidence at which each code is assigned (one per code).
        top_threshold: confidence at which a statement's most likely code is assigned.
        human_weight: how many codebook texts one coded statement counts as.
        random_state: passed through to the classifier.
    """

    def __init__(self, book_vectors: np.ndarray, book_labels: np.ndarray, thresholds: np.ndarray,
                 top_threshold: float = TOP_THRESHOLD, human_weight: float = HUMAN_WEIGHT,
                 random_state: int = 0) -> None:
        self.book_vectors = book_vectors
        self.book_labels = book_labels
        self.thresholds = thresholds
        self.top_threshold = top_threshold
        self.human_weight = human_weight
        self.random_state = random_state

    def fit(self, X: np.ndarray | None = None, y: np.ndarray | None = None) -> StatementClassifier:
        """`X`: vectors of coded statements; `y`: (statements x codes) 1 where the person gave the code. Without
        them, the codebook alone (zero-shot)."""
        n_codes = len(self.thresholds)
        self.classes_ = np.arange(n_codes)
        if X is None or y is None:
            X = np.zeros((0, self.book_vectors.shape[1]), dtype=self.book_vectors.dtype)
            y = np.zeros((0, n_codes), dtype=int)
        rows, columns = np.nonzero(y)
        self.classifier_ = CodeClassifier(n_codes, random_state=self.random_state).fit(
            np.vstack([self.book_vectors, X[rows]]), np.concatenate([self.book_labels, columns]),
            np.concatenate([np.ones(len(self.book_labels)), np.full(len(rows), self.human_weight)]))
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(statements x codes) calibrated confidence that each code applies."""
        return self.classifier_.predict_proba(X)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """(statements x codes) booleans: the codes each statement is assigned (`assign_codes`)."""
        return assign_codes(self.predict_proba(X), np.asarray(self.thresholds), self.top_threshold)


class CodingEngine(BaseEstimator):  # type: ignore[misc]  # scikit-learn has no type information
    """Codes statements against one codebook. Sub-models are injected: an `Embedder` and a spaCy pipeline
    with a lemmatizer (for the rules).

    A scikit-learn estimator: the constructor only keeps its arguments, `fit` learns (what it learns ends in
    `_`), and `get_params`, `set_params` and `sklearn.base.clone` work. How statements are read and coded
    comes from `settings` (an `EngineSettings`, as before), and any of its four fields given here on its own
    (`context_weight`, `turn_weight`, `threshold`, `top_threshold`) wins over it; `fit` keeps the result as
    `settings_`.
    """

    def __init__(self, codebook: Codebook, embedder: Embedder, nlp: Language,
                 settings: EngineSettings | None = None, random_state: int = 0, *,
                 context_weight: float | None = None, turn_weight: float | None = None,
                 threshold: float | None = None, top_threshold: float | None = None) -> None:
        self.codebook = codebook
        self.embedder = embedder
        self.nlp = nlp
        self.settings = settings
        self.random_state = random_state
        self.context_weight = context_weight
        self.turn_weight = turn_weight
        self.threshold = threshold
        self.top_threshold = top_threshold

    def effective_settings(self) -> EngineSettings:
        """`settings` (or the defaults) with the fields given on their own in their place."""
        given = {"context_weight": self.context_weight, "turn_weight": self.turn_weight,
                 "threshold": self.threshold, "top_threshold": self.top_threshold}
        return replace(self.settings or EngineSettings(), **{k: v for k, v in given.items() if v is not None})

    def fit(self, human: pd.DataFrame | None = None, statements: pd.DataFrame | None = None) -> CodingEngine:
        """Learn the codebook; with human coding (columns segment_id, text, code_id, and question, turn and
        valence when known), learn from it too and measure, by cross-validation, how well that agrees with the
        person before it is used. A statement's valence, where the person gave one, teaches the valence coder
        beside the codebook's valence examples. `statements`, the whole table those codes come from, lets each
        coded statement be read in its whole answer rather than among the coded ones alone."""
        self.settings_ = self.effective_settings()
        self.book_embedder_ = codebook_embedder(self.embedder)
        self.code_ids_ = [c.id for c in self.codebook.leaves]
        self.rules_ = RulesCoder(self.nlp, self.codebook).fit()
        self.thresholds_ = np.array([self.codebook.code(c).threshold or self.settings_.threshold
                                     for c in self.code_ids_])
        learner = self._statement_classifier(*self._codebook_data())
        self.training_agreement_: pd.DataFrame | None = None
        self.trained_ = human is not None and len(human) > 0
        self.teaching_ = ""
        taught_valence: tuple[np.ndarray, list[Valence]] | None = None
        if human is not None and self.trained_:
            self.teaching_ = teaching_digest(human.reindex(columns=TEACHING_COLUMNS))
            own, human_vectors, human_codes, answers, valences = self._training_data(human, statements)
            self.training_agreement_ = self._cross_validate(learner, human_vectors, human_codes, answers)
            learner.fit(human_vectors, human_codes)
            given = {i: v for i, v in enumerate(valences) if v in VALENCES}
            taught_valence = (own[list(given)], list(given.values())) if given else None
        else:
            learner.fit()
        self.classifier_ = learner.classifier_
        self.valence_ = self._valence_coder(taught_valence) if self.codebook.valence else None
        return self

    def _valence_coder(self, taught: tuple[np.ndarray, list[Valence]] | None) -> ValenceCoder:
        """The codebook's valence examples, and each statement a person gave a valence to (`HUMAN_WEIGHT` each)."""
        coder = ValenceCoder(self.book_embedder_, self.codebook, random_state=self.random_state)
        if taught is None:
            return coder.fit()
        book_vectors, book_valences = coder.examples()
        vectors, valences = taught
        weights = np.concatenate([np.ones(len(book_valences)), np.full(len(valences), HUMAN_WEIGHT)])
        return coder.fit(np.vstack([book_vectors, vectors]), [*book_valences, *valences], sample_weight=weights)

    @property
    def provenance(self) -> dict[str, str]:
        return {"codebook": self.codebook.name, "codebook_version": self.codebook.version,
                "model": self.embedder.name}

    def read(self, statements: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(own, in context) unit vectors: each statement's own words, which say its valence, and the same
        moved towards its answer and its question, which say its codes (each distinct question embedded
        once; the answer is the mean of its statements' own vectors)."""
        settings = self.settings_
        own = self.embedder.encode(_texts(statements))
        vectors = own.copy()
        if settings.turn_weight > 0 and len(own):
            vectors += settings.turn_weight * _answer_means(own, _answers(statements))
        weight = settings.context_weight
        if weight > 0 and "question" in statements.columns:
            questions = statements["question"].fillna("").astype(str)
            distinct = sorted({q for q in questions if q.strip()})
            if distinct:
                lookup = dict(zip(distinct, self.embedder.encode([for_models(q) for q in distinct]), strict=True))
                context = np.stack([lookup.get(q, np.zeros(own.shape[1], dtype=np.float32)) for q in questions])
                vectors += weight * context
        return own, _unit(vectors)

    def confidences(self, statements: pd.DataFrame, vectors: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(confidence, rule hits) for each statement and code."""
        vectors = self.read(statements)[1] if vectors is None else vectors
        hits = self.rules_.matches(_texts(statements))
        confidence = self.classifier_.predict_proba(vectors)
        confidence = 1.0 - (1.0 - confidence) * (1.0 - RULE_WEIGHT * hits)
        return confidence, hits

    def assign(self, confidence: np.ndarray) -> np.ndarray:
        """Which codes each statement gets: any code over its threshold, and the most likely one over
        `top_threshold`; a statement with nothing that likely gets no code."""
        return assign_codes(confidence, self.thresholds_, self.settings_.top_threshold)

    def code(self, statements: pd.DataFrame, top_k: int = 0) -> pd.DataFrame:
        """Long table (columns `CODING_COLUMNS`): every assigned code, plus each statement's `top_k` best
        codes even when not assigned, plus one empty row for a statement with neither."""
        STATEMENTS.check(statements, "coding engine input")
        own, vectors = self.read(statements)
        confidence, hits = self.confidences(statements, vectors)
        assigned = self.assign(confidence)
        valences, sure = self._valences(own)
        base = "trained" if self.trained_ else "embedding"
        rows = []
        for i, statement_id in enumerate(statements["segment_id"].astype(str)):
            order = np.argsort(-confidence[i], kind="stable")
            keep = [j for rank, j in enumerate(order) if assigned[i, j] or rank < top_k]
            valence = valences[i] if valences is not None else None
            valence_confidence = round(float(sure[i]), 4) if sure is not None else None
            for j in keep:
                rows.append({"segment_id": statement_id, "code_id": self.code_ids_[j],
                             "confidence": round(float(confidence[i, j]), 4), "assigned": bool(assigned[i, j]),
                             "rank": int(np.flatnonzero(order == j)[0]) + 1,
                             "method": f"rules+{base}" if hits[i, j] else base,
                             "valence": valence if assigned[i, j] else None,
                             "valence_confidence": valence_confidence if assigned[i, j] else None,
                             **self.provenance})
            if not keep:
                rows.append({"segment_id": statement_id, "code_id": None, "confidence": None, "assigned": False,
                             "rank": None, "method": base, "valence": None, "valence_confidence": None,
                             **self.provenance})
        frame = pd.DataFrame(rows, columns=CODING_COLUMNS)
        frame["valence_confidence"] = frame["valence_confidence"].astype(float)  # empty without valence: NaN
        return CODINGS.check(frame, "coding engine output")

    def _valences(self, own: np.ndarray) -> tuple[list[str] | None, np.ndarray | None]:
        """Each statement's valence and the probability the valence coder gives it."""
        if self.valence_ is None or not len(own):
            return None, None
        probabilities = self.valence_.predict_proba(own)
        best = probabilities.argmax(axis=1)
        return [str(self.valence_.classes_[b]) for b in best], probabilities[np.arange(len(own)), best]

    def suggest(self, statements: pd.DataFrame, count: int = 20) -> pd.DataFrame:
        """The uncoded statements a person should code next, most informative first (columns segment_id, text)."""
        if statements.empty:
            return statements.reindex(columns=["segment_id", "text"])
        confidence, _ = self.confidences(statements)
        order = most_informative(confidence, count)
        return statements.iloc[order][["segment_id", "text"]].reset_index(drop=True)

    def _training_data(self, human: pd.DataFrame, statements: pd.DataFrame | None
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str | None]]:
        """(own vectors, vectors in context, labels, answers, valences) of the coded statements, one row each."""
        known = [c for c in ("question", "turn") if c in human]
        coded = human.drop_duplicates("segment_id")[["segment_id", "text", *known]]
        coded = coded.reset_index(drop=True)
        labels = np.zeros((len(coded), len(self.code_ids_)), dtype=int)
        row = {i: n for n, i in enumerate(coded["segment_id"].astype(str))}
        column = {c: n for n, c in enumerate(self.code_ids_)}
        codes = human["code_id"].fillna("").astype(str)
        for statement, code in zip(human["segment_id"].astype(str), codes, strict=True):
            if code in column:
                labels[row[statement], column[code]] = 1
        given = (human.dropna(subset=["valence"]).drop_duplicates("segment_id").set_index("segment_id")["valence"]
                 if "valence" in human else pd.Series(dtype=object))
        valences = [given.get(i) for i in coded["segment_id"]]
        if statements is None:
            own, vectors = self.read(coded)
        else:
            position = {i: n for n, i in enumerate(statements["segment_id"].astype(str))}
            rows = [position[i] for i in coded["segment_id"].astype(str)]
            own, vectors = self.read(statements.reset_index(drop=True))
            own, vectors = own[rows], vectors[rows]
        return own, vectors, labels, _answers(coded), valences

    def _codebook_data(self) -> tuple[np.ndarray, np.ndarray]:
        texts, owners = [], []
        for n, code_id in enumerate(self.code_ids_):
            for text in code_texts(self.codebook.code(code_id)):
                texts.append(text)
                owners.append(n)
        return self.book_embedder_.encode(texts), np.asarray(owners)

    def _statement_classifier(self, book_vectors: np.ndarray, book_labels: np.ndarray) -> StatementClassifier:
        return StatementClassifier(book_vectors, book_labels, self.thresholds_,
                                   top_threshold=self.settings_.top_threshold, human_weight=HUMAN_WEIGHT,
                                   random_state=self.random_state)

    def _cross_validate(self, learner: StatementClassifier, vectors: np.ndarray, codes: np.ndarray,
                        groups: np.ndarray, folds: int = 5) -> pd.DataFrame | None:
        """Agreement with the person's codes, each statement predicted by a model that saw neither it nor
        any statement of its answer, whose vector it shares in part (not measured, None, below two answers)."""
        distinct = len(np.unique(groups))
        if distinct < 2:
            return None
        splitter = GroupKFold(n_splits=min(folds, distinct), shuffle=True, random_state=self.random_state)
        predicted = cross_val_predict(learner, vectors, codes, groups=groups, cv=splitter)
        return agreement_table(codes.astype(bool), np.asarray(predicted, dtype=bool), self.code_ids_)


def codebook_embedder(embedder: Embedder) -> Embedder:
    """The embedder for a codebook's own texts (definitions, examples, valence examples): with the project's cache
    where it has one; otherwise with the user's cache of codebook vectors, so a codebook is embedded once a
    machine rather than in every `code-table` run (vectors only, keyed by the model's identity)."""
    if embedder.cache is not None:
        return embedder
    user_cache_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    return embedder.sharing(EmbeddingCache(user_cache_dir() / CODEBOOK_VECTORS))


def _answers(statements: pd.DataFrame) -> np.ndarray:
    """Which answer each statement belongs to: its `turn`, or, without one, the statement alone."""
    ids = "id:" + statements["segment_id"].astype(str)
    if "turn" not in statements.columns:
        return np.asarray(ids, dtype=str)
    turns = statements["turn"].fillna("").astype(str)
    return np.asarray(("turn:" + turns).where(turns != "", ids), dtype=str)


def _answer_means(vectors: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each row's answer: the unit mean of the vectors that share its group."""
    _, group = np.unique(groups, return_inverse=True)
    sums = np.zeros((int(group.max()) + 1, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, group, vectors)
    return np.asarray(_unit(sums)[group], dtype=np.float32)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return np.asarray(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12))


def _texts(statements: pd.DataFrame) -> list[str]:
    return [for_models(text) for text in statements["text"].astype(str)]
