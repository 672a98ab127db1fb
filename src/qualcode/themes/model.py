"""Emerging themes: BERTopic over statements, on embeddings already computed, with settings for small corpora."""

from __future__ import annotations

import itertools
import warnings
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from threadpoolctl import threadpool_limits

from qualcode.errors import TooFewStatements
from qualcode.nlp import DEFAULT_SPACY_MODEL, lemma_pipeline
from qualcode.text import for_models
from qualcode.themes.filters import (
    BACKCHANNEL,
    BACKCHANNEL_WORDS,
    NO_SUBJECT,
    OTHER_LANGUAGE,
    SUBJECT_WORDS,
    backchannels,
    keyword_stop_words,
    keyword_tokens,
    other_language,
)

MIN_STATEMENTS = 20  # below this, UMAP's neighbourhoods and HDBSCAN's clusters mean nothing


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
    leave_out: bool = True  # leave out backchannels and statements not in English (`qualcode.themes.filters`)
    spacy_model: str | None = None  # tags statements to tell backchannels; default: a project's, else the bundled


class TopicModel(ClusterMixin, BaseEstimator):  # type: ignore[misc]  # scikit-learn has no type information
    """BERTopic over statements, on embeddings already computed, sized for small corpora: a scikit-learn
    estimator (the constructor only keeps its arguments; `fit` learns `labels_`, `left_out_`, `keywords_` and
    `bertopic_`).

    Backchannels ("Yeah. Okay, perfect."), statements in another language and statements that name no subject
    ("Same.") are left out before clustering (with `leave_out`): they formed themes of their own. Keywords are
    representative phrases: candidate words and word pairs from c-TF-IDF, ranked by how close their embedding is
    to the theme's most typical statements (BERTopic's KeyBERTInspired) and made diverse
    (MaximalMarginalRelevance), with the embedding model only.

    Args:
        min_statements, min_theme_size, min_samples, cluster_selection, neighbours, keywords, random_state,
        leave_out, spacy_model: as in `ThemeSettings` (`TopicModel.from_settings` takes one).
        embedding_model: the embedding backend the statements were embedded with (`qualcode.coders.Embedder`'s
            `embedding_backend`), for the phrase representation (never used to embed the statements again). Without
            it, keywords are c-TF-IDF's most distinctive words.
    """

    def __init__(self, min_statements: int = MIN_STATEMENTS, min_theme_size: int | None = None,
                 min_samples: int = 2, cluster_selection: str = "leaf", neighbours: int | None = None,
                 keywords: int = 8, random_state: int = 42, leave_out: bool = True,
                 spacy_model: str | None = None, embedding_model: Any = None) -> None:
        self.min_statements = min_statements
        self.min_theme_size = min_theme_size
        self.min_samples = min_samples
        self.cluster_selection = cluster_selection
        self.neighbours = neighbours
        self.keywords = keywords
        self.random_state = random_state
        self.leave_out = leave_out
        self.spacy_model = spacy_model
        self.embedding_model = embedding_model

    @classmethod
    def from_settings(cls, settings: ThemeSettings, embedding_model: Any = None) -> TopicModel:
        return cls(min_statements=settings.min_statements, min_theme_size=settings.min_theme_size,
                   min_samples=settings.min_samples, cluster_selection=settings.cluster_selection,
                   neighbours=settings.neighbours, keywords=settings.keywords, random_state=settings.random_state,
                   leave_out=settings.leave_out, spacy_model=settings.spacy_model,
                   embedding_model=embedding_model)

    def fit(self, X: pd.DataFrame, y: None = None, vectors: np.ndarray | None = None) -> TopicModel:
        """Cluster statements into topics.

        Args:
            X: statements, rows with `text` (the words BERTopic draws keywords from), one per row of `vectors`.
            vectors: their embeddings, computed once by the coding engine and read from the cache.

        Learns `labels_` (the topic of each statement, -1 for none), `left_out_` (why a statement was left out:
        `BACKCHANNEL`, `OTHER_LANGUAGE`, `NO_SUBJECT`, or "" for none) and `keywords_` (of each topic).
        """
        if vectors is None:
            raise ValueError("TopicModel.fit needs the statements' vectors")
        if len(X) < self.min_statements:
            raise TooFewStatements(f"Only {len(X)} statements to look for themes in; at least {self.min_statements} "
                                   "are needed.")
        texts = [for_models(t) for t in X["text"]]
        left_out = self._left_out(texts)
        kept = left_out == ""
        count = int(kept.sum())
        if count < self.min_statements:
            raise TooFewStatements(f"Only {count} statements to look for themes in once {len(X) - count} "
                                   f"backchannels and statements in another language are left out; at least "
                                   f"{self.min_statements} are needed.")
        from bertopic import BERTopic
        from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance
        from hdbscan import HDBSCAN
        from sklearn.feature_extraction.text import CountVectorizer
        from umap import UMAP

        compiled_once()
        size = self.min_theme_size or max(4, round(count * 0.02))
        neighbours = self.neighbours or max(2, min(15, count // 10))
        umap = UMAP(n_neighbors=neighbours, n_components=min(5, count - 2), min_dist=0.0, metric="cosine",
                    random_state=self.random_state, precomputed_knn=nearest_neighbours(vectors[kept], neighbours))
        hdbscan = HDBSCAN(min_cluster_size=size, min_samples=self.min_samples, metric="euclidean", core_dist_n_jobs=1,
                          cluster_selection_method=self.cluster_selection, prediction_data=True)
        # min_df stays 1: BERTopic fits the vectorizer on one document per topic, so a word only one theme says
        # (its most telling word) is in one document.
        vectorizer = CountVectorizer(tokenizer=partial(keyword_tokens, stop_words=keyword_stop_words()),
                                     token_pattern=None, lowercase=False, ngram_range=(1, 2), min_df=1)
        phrases = None
        if self.embedding_model is not None:  # both rank candidates by their embeddings
            phrases = [KeyBERTInspired(top_n_words=2 * self.keywords, random_state=self.random_state),
                       MaximalMarginalRelevance(diversity=0.3, top_n_words=self.keywords)]
        model = BERTopic(embedding_model=_phrase_encoder(self.embedding_model), umap_model=umap, hdbscan_model=hdbscan,
                         vectorizer_model=vectorizer, representation_model=phrases, top_n_words=2 * self.keywords,
                         calculate_probabilities=False, verbose=False)
        # UMAP says a fixed seed means one thread: that is the point of the seed. BLAS and OpenMP get one thread
        # too, so the same vectors give the same themes however loaded the machine is.
        with warnings.catch_warnings(), threadpool_limits(limits=1):
            warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
            # our neighbours come without UMAP's search index: only `transform` needs it, and themes never call it
            warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]", category=UserWarning)
            topics, _ = model.fit_transform([t for t, keep in zip(texts, kept, strict=True) if keep],
                                            embeddings=vectors[kept])
        labels = np.full(len(X), -1)
        labels[kept] = topics
        self.bertopic_ = model
        self.labels_ = labels
        self.left_out_ = left_out
        stop_words = keyword_stop_words()
        tokens = [keyword_tokens(t, stop_words) for t, keep in zip(texts, kept, strict=True) if keep]
        self.keywords_ = {int(topic): said_together([word for word, _ in (model.get_topic(topic) or []) if word],
                                                    [t for t, k in zip(tokens, topics, strict=True) if k == topic]
                                                    )[:self.keywords]
                          for topic in sorted(set(topics)) if topic != -1}
        return self

    def _left_out(self, texts: list[str]) -> np.ndarray:
        reasons = np.full(len(texts), "", dtype=object)
        if not self.leave_out:
            return reasons
        reasons[other_language(texts)] = OTHER_LANGUAGE
        # Only a short statement can be a backchannel, so only short ones are tagged (the longer are most of the
        # text); a word's uses as an interjection are counted among them.
        rest = np.flatnonzero((reasons == "") & np.array([_short(t, BACKCHANNEL_WORDS) for t in texts], dtype=bool))
        tagger = lemma_pipeline(self.spacy_model or DEFAULT_SPACY_MODEL)
        docs = list(tagger.pipe([texts[i] for i in rest], batch_size=256))
        reasons[rest[backchannels(docs)]] = BACKCHANNEL
        # what is left but says fewer than two words a keyword could be ("Same.", "I'd expect so.") names no
        # subject: grouped, such scraps made themes of their own
        stop_words = keyword_stop_words()
        scraps = [len(keyword_tokens(t, stop_words)) < SUBJECT_WORDS for t in texts]
        reasons[(reasons == "") & np.array(scraps, dtype=bool)] = NO_SUBJECT
        return reasons


def _short(text: str, words: int) -> bool:
    """At most `words` words with a letter: a statement with more has more tokens with one, so cannot be a
    backchannel."""
    return sum(any(c.isalpha() for c in word) for word in text.split()) <= words


EXACT_NEIGHBOURS = 20_000  # statements up to which neighbours are found exactly, by one matrix product per block
NEIGHBOUR_BLOCK = 512  # rows held at once: at 20,000 statements their distances and keys (int64) take 160 MB
DISTANCE_DECIMALS = 6  # closer than this, two neighbours are tied and the earlier statement comes first


def nearest_neighbours(vectors: np.ndarray, count: int) -> tuple[np.ndarray | None, np.ndarray | None, None]:
    """Each statement's `count` nearest (itself first) by cosine, for UMAP's graph. UMAP finds them itself with a
    distance function called pair by pair (23 s for 3,800 statements on 2 cores); a matrix product gives the same
    neighbours in a fraction of a second. Above `EXACT_NEIGHBOURS` UMAP's own approximate search is left to it.

    Ties are broken the same way every time: a statement said twice has two neighbours at distance 0, and which
    came first followed the last bits of the product, so the same vectors gave different themes on one CPU.
    Distances are rounded, ties go to the earlier statement, and a statement is always its own first neighbour
    (which UMAP assumes)."""
    if len(vectors) > EXACT_NEIGHBOURS or count >= len(vectors):
        return None, None, None
    unit = np.asarray(vectors, dtype=np.float64)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    total = len(unit)
    indices = np.empty((total, count), dtype=np.int64)
    for start in range(0, total, NEIGHBOUR_BLOCK):
        rows = np.arange(start, min(start + NEIGHBOUR_BLOCK, total))
        steps = np.rint(np.clip(1.0 - unit[rows] @ unit.T, 0.0, 2.0) * 10 ** DISTANCE_DECIMALS).astype(np.int64)
        keys = steps * total + np.arange(total)  # one key per pair: distance first, then the statement
        keys[np.arange(len(rows)), rows] = -1  # itself first
        nearest = np.argpartition(keys, count - 1, axis=1)[:, :count]
        indices[rows] = np.take_along_axis(nearest, np.argsort(np.take_along_axis(keys, nearest, axis=1), axis=1),
                                           axis=1)
    distances = np.clip(1.0 - np.einsum("ij,ikj->ik", unit, unit[indices]), 0.0, 2.0)
    distances[:, 0] = 0.0
    return indices, np.round(distances, DISTANCE_DECIMALS).astype(np.float32), None


def said_together(keywords: list[str], statements: list[list[str]]) -> list[str]:
    """`keywords` without the word pairs that only one statement says: c-TF-IDF counts a theme's statements as one
    document, so a pair said once ("interpreter takes") ranks as high as a word the whole theme shares."""
    pairs: Counter[str] = Counter()
    for words in statements:
        pairs.update({f"{a} {b}" for a, b in itertools.pairwise(words)})
    return [k for k in keywords if " " not in k or pairs[k] >= 2 or len(statements) < 2]


def fit_topics(statements: pd.DataFrame, vectors: np.ndarray, settings: ThemeSettings,
               embedding_model: Any = None) -> tuple[np.ndarray, dict[int, list[str]], np.ndarray]:
    """Cluster statements into topics (a `TopicModel` fitted with `settings`).

    Args:
        statements: rows with `text` (the words BERTopic draws keywords from), one per row of `vectors`.
        vectors: their embeddings, computed once by the coding engine and read from the cache.
        embedding_model: the sentence-transformers model, for representations that need it (never used to
            embed the statements again).

    Returns:
        (topic of each statement, -1 for none; keywords of each topic; why each statement was left out, "" if
        it was not).
    """
    model = TopicModel.from_settings(settings, embedding_model).fit(statements, vectors=vectors)
    return model.labels_, model.keywords_, model.left_out_


@lru_cache(maxsize=1)
def compiled_once() -> None:
    """Keep UMAP's compiled functions on disk, as numba does for those declared with `cache=True`. UMAP declares
    its parallel ones without it, so every process compiled them again: 10 to 13 s of every nightly report on 2
    cores, against 0.3 s to load them (numba's cache: in the package's `__pycache__`, else the user's)."""
    import umap.layouts
    import umap.spectral
    import umap.umap_
    import umap.utils
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    for module in (umap.umap_, umap.layouts, umap.utils, umap.spectral):
        for compiled in vars(module).values():
            if isinstance(compiled, Dispatcher) and isinstance(getattr(compiled, "_cache", None), NullCache):
                compiled.enable_caching()


def _phrase_encoder(backend: Any) -> Any:
    """A qualcode embedding backend as BERTopic's own kind of backend, so every way of running a model (the int8
    one included, which is not a sentence-transformers model) embeds the candidate phrases the same way."""
    if backend is None:
        return None
    from bertopic.backend import BaseEmbedder as BERTopicEmbedder

    class PhraseEncoder(BERTopicEmbedder):  # type: ignore[misc]  # BERTopic has no type information
        def embed(self, documents: Any, verbose: bool = False) -> np.ndarray:
            return np.asarray(backend.embed(list(documents)))

    return PhraseEncoder()
