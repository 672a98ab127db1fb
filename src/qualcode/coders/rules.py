"""Coding by the codebook's own keywords and token patterns, matched on lemmas with spaCy."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from qualcode.codebook.model import Codebook
from qualcode.coders.lemmas import LemmaCandidates

# Token attributes a pattern may use and still be matched on word lemmas without tagging whole statements.
WORD_ATTRIBUTES = frozenset({"LEMMA", "LOWER", "ORTH", "TEXT", "NORM", "LENGTH", "OP", "IS_ALPHA", "IS_DIGIT",
                             "IS_PUNCT", "IS_STOP", "IS_TITLE", "IS_LOWER", "IS_UPPER", "LIKE_NUM"})


class RulesCoder(TransformerMixin, BaseEstimator):  # type: ignore[misc]  # scikit-learn has no type information
    """Marks which codes' keywords (lemma phrases) or token patterns occur in each statement.

    Tagging every statement to lemmatise it would cost a third of the embedding time, so each distinct word
    is lemmatised once (with the tagger's best guess for the word alone) and cached; statements are only
    tokenised. A word is tagged only when the lemmatiser's tables say it could take a keyword's or pattern's
    lemma (`LemmaCandidates`); any other word keeps its lower-case form, which matches nothing either.
    Patterns that need part-of-speech or other context fall back to the full pipeline.

    A scikit-learn transformer: `fit()` compiles the codebook's keywords and patterns, `transform(texts)` is
    `matches(texts)`.

    Args:
        nlp: a spaCy pipeline with a lemmatizer (injected).
    """

    def __init__(self, nlp: Language, codebook: Codebook, batch_size: int = 1000) -> None:
        self.nlp = nlp
        self.codebook = codebook
        self.batch_size = batch_size

    def fit(self, X: Sequence[str] | None = None, y: None = None) -> RulesCoder:
        """Compile the codebook's rules (`X`, texts, are not needed: the rules are the codebook's)."""
        leaves = self.codebook.leaves
        self.code_ids_ = [c.id for c in leaves]
        self.lemmas_: dict[str, str] = {}
        self.phrases_ = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.matcher_ = Matcher(self.nlp.vocab)
        self.wanted_: set[str] | None = None  # every word is tagged while the keywords themselves are
        wanted: set[str] = set()
        for code in leaves:
            if code.keywords:
                keywords = self._lemmatised([k.lower() for k in code.keywords])
                self.phrases_.add(code.id, keywords)
                wanted |= {token.lemma_ for doc in keywords for token in doc}
            if code.patterns:
                self.matcher_.add(code.id, code.patterns)
        lemma_specs = [value for code in leaves for pattern in code.patterns for token in pattern
                       for key, value in token.items() if key.upper() == "LEMMA"]
        if all(isinstance(spec, str) for spec in lemma_specs):
            self.wanted_ = wanted | {spec.lower() for spec in lemma_specs}
        self.candidates_ = LemmaCandidates(self.nlp)
        self.needs_context_ = any(key.upper() not in WORD_ATTRIBUTES for code in leaves
                                  for pattern in code.patterns for token in pattern for key in token)
        return self

    def matches(self, texts: Sequence[str]) -> np.ndarray:
        """(statements x codes) booleans: a keyword or pattern of the code occurs."""
        found = np.zeros((len(texts), len(self.code_ids_)), dtype=bool)
        column = {code_id: i for i, code_id in enumerate(self.code_ids_)}
        docs = (self.nlp.pipe(texts, batch_size=256) if self.needs_context_ else self._lemmatised(texts))
        for row, doc in enumerate(docs):
            matches = [*self.phrases_(doc), *(self.matcher_(doc) if len(self.matcher_) else [])]
            for match_id, _, _ in matches:
                found[row, column[self.nlp.vocab.strings[match_id]]] = True
        return found

    def transform(self, X: Sequence[str]) -> np.ndarray:
        """`matches(X)`."""
        return self.matches(X)

    def _lemmatised(self, texts: Iterable[str]) -> list[Doc]:
        docs = [self.nlp.make_doc(text) for text in texts]
        unseen = sorted({token.lower_ for doc in docs for token in doc} - self.lemmas_.keys())
        if self.wanted_ is not None:
            wanted = self.wanted_
            self.lemmas_.update((word, word) for word in unseen if not self.candidates_.could_take(word, wanted))
            unseen = [word for word in unseen if word not in self.lemmas_]
        for word, alone in zip(unseen, self.nlp.pipe(unseen, batch_size=self.batch_size), strict=True):
            self.lemmas_[word] = alone[0].lemma_.lower() if len(alone) == 1 else word
        for doc in docs:
            for token in doc:
                token.lemma_ = self.lemmas_[token.lower_]
        return docs
