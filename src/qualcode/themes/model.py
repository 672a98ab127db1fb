"""Emerging themes: BERTopic over statements, on embeddings already computed, with settings for small corpora."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin

from qualcode.errors import TooFewStatements
from qualcode.text import for_models

MIN_STATEMENTS = 20  # below this, UMAP's neighbourhoods and HDBSCAN's clusters mean nothing
# Talk is full of words that say nothing about a theme; without these, keywords read "yeah, think, actually".
SPOKEN_FILLERS = ("yeah", "yes", "erm", "um", "uh", "mm", "ok", "okay", "laughs", "really", "actually", "just",
                  "think", "know", "mean", "like", "sort", "kind", "bit", "lot", "thing", "things", "got", "going",
                  "thats", "didnt", "dont", "doesnt", "wasnt", "isnt", "im", "ive", "youre", "weve", "theyre", "id",
                  "hadnt", "wouldnt", "couldnt", "right", "say", "said", "honestly", "quite", "probably", "maybe",
                  "did", "does", "make", "way", "want", "need", "good", "time")


@dataclass(frozen=True)
class ThemeSettings:
    """Sizes scale with the corpus so a few hundred statements still form themes; `random_state` fixes UMAP."""

    min_statements: int = MIN_STATEMENTS
    min_theme_size: int | None = None  # default: about 2% of the statements, at least 4
    min_samples: int = 2  # low: in a small corpus a theme is a handful of statements, not a dense region
    cluster_selection: str = "leaf"  # "leaf" finds the small, specific themes; "eom" fewer, broader ones
    neighbours: int | None = None  # UMAP's n_neighbors; default about a tenth of the statements, 2 to 15
    keywords: int = 8
    quotes: int = 3
    random_state: int = 42


class TopicModel(ClusterMixin, BaseEstimator):  # type: ignore[misc]  # scikit-learn has no type information
    """BERTopic over statements, on embeddings already computed, sized for small corpora: a scikit-learn
    estimator (the constructor only keeps its arguments; `fit` learns `labels_`, `keywords_` and `bertopic_`).

    Args:
        min_statements, min_theme_size, min_samples, cluster_selection, neighbours, keywords, random_state:
            as in `ThemeSettings` (`TopicModel.from_settings` takes one).
        embedding_model: the sentence-transformers model, for representations that need it (never used to
            embed the statements again).
    """

    def __init__(self, min_statements: int = MIN_STATEMENTS, min_theme_size: int | None = None,
                 min_samples: int = 2, cluster_selection: str = "leaf", neighbours: int | None = None,
                 keywords: int = 8, random_state: int = 42, embedding_model: Any = None) -> None:
        self.min_statements = min_statements
        self.min_theme_size = min_theme_size
        self.min_samples = min_samples
        self.cluster_selection = cluster_selection
        self.neighbours = neighbours
        self.keywords = keywords
        self.random_state = random_state
        self.embedding_model = embedding_model

    @classmethod
    def from_settings(cls, settings: ThemeSettings, embedding_model: Any = None) -> TopicModel:
        return cls(min_statements=settings.min_statements, min_theme_size=settings.min_theme_size,
                   min_samples=settings.min_samples, cluster_selection=settings.cluster_selection,
                   neighbours=settings.neighbours, keywords=settings.keywords, random_state=settings.random_state,
                   embedding_model=embedding_model)

    def fit(self, X: pd.DataFrame, y: None = None, vectors: np.ndarray | None = None) -> TopicModel:
        """Cluster statements into topics.

        Args:
            X: statements, rows with `text` (the words BERTopic draws keywords from), one per row of `vectors`.
            vectors: their embeddings, computed once by the coding engine and read from the cache.

        Learns `labels_` (the topic of each statement, -1 for none) and `keywords_` (of each topic).
        """
        if vectors is None:
            raise ValueError("TopicModel.fit needs the statements' vectors")
        count = len(X)
        if count < self.min_statements:
            raise TooFewStatements(f"Only {count} statements to look for themes in; at least {self.min_statements} "
                                   "are needed.")
        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
        from umap import UMAP

        size = self.min_theme_size or max(4, round(count * 0.02))
        neighbours = self.neighbours or max(2, min(15, count // 10))
        umap = UMAP(n_neighbors=neighbours, n_components=min(5, count - 2), min_dist=0.0, metric="cosine",
                    random_state=self.random_state)
        hdbscan = HDBSCAN(min_cluster_size=size, min_samples=self.min_samples, metric="euclidean",
                          cluster_selection_method=self.cluster_selection, prediction_data=True)
        stop_words = sorted(ENGLISH_STOP_WORDS | set(SPOKEN_FILLERS))
        vectorizer = CountVectorizer(stop_words=stop_words, ngram_range=(1, 2), min_df=2 if count >= 100 else 1,
                                     token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
        model = BERTopic(embedding_model=self.embedding_model, umap_model=umap, hdbscan_model=hdbscan,
                         vectorizer_model=vectorizer, top_n_words=self.keywords, calculate_probabilities=False,
                         verbose=False)
        texts = [for_models(t).replace("'", "") for t in X["text"]]  # "didn't" -> "didnt", a filler
        with warnings.catch_warnings():  # UMAP says a fixed seed means one thread: that is the point of the seed
            warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
            topics, _ = model.fit_transform(texts, embeddings=vectors)
        self.bertopic_ = model
        self.labels_ = np.asarray(topics)
        self.keywords_ = {int(topic): [word for word, _ in (model.get_topic(topic) or [])]
                          for topic in sorted(set(topics)) if topic != -1}
        return self


def fit_topics(statements: pd.DataFrame, vectors: np.ndarray, settings: ThemeSettings,
               embedding_model: Any = None) -> tuple[np.ndarray, dict[int, list[str]]]:
    """Cluster statements into topics (a `TopicModel` fitted with `settings`).

    Args:
        statements: rows with `text` (the words BERTopic draws keywords from), one per row of `vectors`.
        vectors: their embeddings, computed once by the coding engine and read from the cache.
        embedding_model: the sentence-transformers model, for representations that need it (never used to
            embed the statements again).

    Returns:
        (topic of each statement, -1 for none; keywords of each topic).
    """
    model = TopicModel.from_settings(settings, embedding_model).fit(statements, vectors=vectors)
    return model.labels_, model.keywords_
