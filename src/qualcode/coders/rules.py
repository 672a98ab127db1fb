"""Coding by the codebook's own keywords and token patterns, matched on lemmas with spaCy."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher

from qualcode.codebook.model import Codebook


class RulesCoder:
    """Marks which codes' keywords (lemma phrases) or token patterns occur in each statement.

    Lemmatising is the slow part, so only statements that contain the start of some keyword word are run
    through the tagger and lemmatiser; the rest cannot match.

    Args:
        nlp: a spaCy pipeline with a lemmatizer (injected).
    """

    def __init__(self, nlp: Language, codebook: Codebook, batch_size: int = 256) -> None:
        self.nlp = nlp
        self.codebook = codebook
        self.batch_size = batch_size

    def fit(self) -> RulesCoder:
        leaves = self.codebook.leaves
        self.code_ids_ = [c.id for c in leaves]
        self.phrases_ = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.matcher_ = Matcher(self.nlp.vocab)
        stems: set[str] = set()
        for code in leaves:
            if code.keywords:
                docs = list(self.nlp.pipe([k.lower() for k in code.keywords]))
                self.phrases_.add(code.id, docs)
                stems.update(token.lemma_[:4].lower() for doc in docs for token in doc if token.is_alpha)
            if code.patterns:
                self.matcher_.add(code.id, code.patterns)
                stems.update(str(v)[:4].lower() for p in code.patterns for t in p for v in t.values()
                             if isinstance(v, str))
        has_patterns = any(code.patterns for code in leaves)
        self.prefilter_ = None if has_patterns or not stems else re.compile(
            r"\b(?:" + "|".join(sorted(map(re.escape, stems))) + ")", re.IGNORECASE)
        return self

    def matches(self, texts: Sequence[str]) -> np.ndarray:
        """(statements x codes) booleans: a keyword or pattern of the code occurs."""
        found = np.zeros((len(texts), len(self.code_ids_)), dtype=bool)
        column = {code_id: i for i, code_id in enumerate(self.code_ids_)}
        candidates = [i for i, t in enumerate(texts) if self.prefilter_ is None or self.prefilter_.search(t)]
        docs = self.nlp.pipe((texts[i] for i in candidates), batch_size=self.batch_size)
        for row, doc in zip(candidates, docs, strict=True):
            matches = [*self.phrases_(doc), *(self.matcher_(doc) if len(self.matcher_) else [])]
            for match_id, _, _ in matches:
                found[row, column[self.nlp.vocab.strings[match_id]]] = True
        return found
