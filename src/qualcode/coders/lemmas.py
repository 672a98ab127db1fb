"""Which words could take a given lemma, decided from spaCy's own lemmatiser tables without tagging them.

Tagging a word to lemmatise it is most of what the keyword rules cost on a fast encoder path. A keyword can only
match a word whose lemma is one of the keywords' lemmas, and the rule lemmatiser can only give a word its lower-case
form, a suffix rule's output, a listed exception or a value the attribute ruler sets: if none of those is a
keyword lemma, the word's true lemma cannot match either, whatever the tagger would say.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from spacy.language import Language


class LemmaCandidates:
    """Every lemma spaCy's rule lemmatiser (with its attribute ruler) could give a word, over all parts of speech.

    Args:
        nlp: the pipeline whose `lemmatizer` (rule mode) and `attribute_ruler` the rules coder uses.
    """

    def __init__(self, nlp: Language) -> None:
        lemmatizer: Any = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        self.usable = lemmatizer is not None and getattr(lemmatizer, "mode", "") == "rule"
        lookups = lemmatizer.lookups if self.usable else None
        self._rules: list[tuple[str, str]] = sorted(
            {(old, new) for rules in (lookups.get_table("lemma_rules", {}) if lookups else {}).values()
             for old, new in rules})
        self._exceptions: list[dict[str, list[str]]] = list(
            (lookups.get_table("lemma_exc", {}) if lookups else {}).values())
        self._ruled: list[tuple[Any, str]] = []   # (the word's LOWER spec, the lemma it is given)
        self._any_word: set[str] = set()           # lemmas a one-token pattern gives without naming the word
        if "attribute_ruler" in nlp.pipe_names:
            ruler: Any = nlp.get_pipe("attribute_ruler")
            for pattern in ruler.patterns:
                lemma = pattern["attrs"].get("LEMMA")
                if lemma is None:
                    continue
                for tokens in pattern["patterns"]:
                    if len(tokens) != 1:
                        continue  # a many-token pattern never applies to a word tagged alone
                    spec = tokens[0].get("LOWER", tokens[0].get("ORTH"))
                    if spec is None:
                        self._any_word.add(str(lemma).lower())
                    else:
                        self._ruled.append((spec, str(lemma).lower()))

    def could_take(self, word: str, lemmas: Collection[str]) -> bool:
        """Whether the tagger could give `word` (lower case) one of `lemmas`: only then must it be tagged."""
        if not self.usable or not self._any_word.isdisjoint(lemmas):
            return True
        if word in lemmas:
            return True
        for old, new in self._rules:
            if word.endswith(old) and word[: len(word) - len(old)] + new in lemmas:
                return True
        if any(form in lemmas for exceptions in self._exceptions for form in exceptions.get(word, ())):
            return True
        return any(lemma in lemmas and _names(spec, word) for spec, lemma in self._ruled)


def _names(spec: Any, word: str) -> bool:
    """Whether a Matcher token spec on LOWER (a string, `IN` or `REGEX`) could match `word`; unsure is yes."""
    if isinstance(spec, str):
        return spec.lower() == word
    if isinstance(spec, dict):
        if "IN" in spec:
            return word in {str(v).lower() for v in spec["IN"]}
        if "REGEX" in spec:
            return re.search(str(spec["REGEX"]), word) is not None
    return True
