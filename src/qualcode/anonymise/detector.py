"""Finding identifying spans in one document: written and spoken identifiers by shape, names by evidence."""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Iterable, Sequence

from spacy.language import Language

from qualcode.ahead import ComputedAhead
from qualcode.anonymise.entities import PRESIDIO_TO_KIND, PRIORITY, Finding
from qualcode.anonymise.evidence import CENTRE, NameEvidence
from qualcode.anonymise.lexicon import lexicon
from qualcode.anonymise.recognisers import uk_recognisers
from qualcode.anonymise.spoken import spoken_identifiers
from qualcode.anonymise.vocabulary import DOMAIN_PHRASES, DOMAIN_TERMS, ROLE_WORDS
from qualcode.nlp import ner_pipeline

# presidio logs the words around each finding at debug level: statement text must never reach a log.
for _noisy in ("presidio-analyzer", "decision_process"):
    logging.getLogger(_noisy).disabled = True

_WORD = re.compile(r"[\w'’&-]+")
_TWO_CHARACTERS = re.compile(r"[^\W_]{2}|\d|[^\W_]&[^\W_]")  # "n’t" and stray punctuation identify nobody; "L&D" may


def points_for(score_threshold: float) -> float:
    """The evidence points a name needs for a confidence of `score_threshold` (1.0: none is enough)."""
    if score_threshold >= 1.0:
        return math.inf
    if score_threshold <= 0.0:
        return -math.inf
    return CENTRE + math.log(score_threshold / (1.0 - score_threshold))


class Detector(ComputedAhead[list[list[Finding]]]):
    """Finds identifying spans in the texts of one document (a file's turns).

    Args:
        nlp: a spaCy pipeline with a tagger and NER (default: the bundled model); injected so teams can swap it.
        allow: words and phrases never redacted, on top of the field's own vocabulary.
        deny: words and phrases always redacted (as PERSON unless given as `KIND:value`).
        score_threshold: the confidence at which a word is taken as a name, place or organisation (0.5: the
            evidence for it outweighs the evidence against).
    """

    def __init__(self, nlp: Language | None = None, *, allow: Iterable[str] = (), deny: Iterable[str] = (),
                 score_threshold: float = 0.5, batch_size: int = 64) -> None:
        self.nlp = nlp if nlp is not None else ner_pipeline()
        self.allow = frozenset(a.casefold().strip() for a in allow) | DOMAIN_TERMS | DOMAIN_PHRASES
        self.deny = _parse_deny(deny)
        self.batch_size = batch_size
        self.evidence = NameEvidence(lexicon(), self.allow | ROLE_WORDS, threshold=points_for(score_threshold))
        self.recognisers = uk_recognisers()
        for recogniser in self.recognisers:
            recogniser.load()
        self._deny_pattern = _alternation(value for value, _ in self.deny)
        super().__init__()  # results computed ahead, by `detection_key`

    def detect(self, texts: Sequence[str], labels: Iterable[str] = ()) -> list[list[Finding]]:
        """Findings for each text of one document, overlaps merged, allowed words removed. `labels` are the
        document's speaker labels that are people: their words are names wherever they appear.

        A pure function of its inputs and the detector's settings, so it may be computed ahead in another process
        (`qualcode.workspace.ingest_workers`): see `qualcode.ahead.ComputedAhead`."""
        labels = tuple(labels)
        return self.ahead(lambda: detection_key(texts, labels), lambda: self._detect(texts, labels))

    def _detect(self, texts: Sequence[str], labels: tuple[str, ...]) -> list[list[Finding]]:
        docs = list(self.nlp.pipe(texts, batch_size=self.batch_size))
        found: list[list[Finding]] = []
        for text, named in zip(texts, self.evidence.find(docs, labels), strict=True):
            named = [f for f in named if _TWO_CHARACTERS.search(text[f.start:f.end])]
            findings = [*named, *self.patterns(text), *spoken_identifiers(text)]
            findings = [f for f in findings if not self.is_allowed(text[f.start:f.end])]
            findings.extend(self._denied(text))
            found.append(merge_overlaps(findings, text))
        return found

    def patterns(self, text: str) -> list[Finding]:
        """Identifiers with a written shape (phone, e-mail, postcode, NHS and NI numbers, addresses, ages)."""
        return [Finding(r.start, r.end, PRESIDIO_TO_KIND[r.entity_type], r.score)
                for recogniser in self.recognisers
                for r in recogniser.analyze(text, recogniser.supported_entities, None)  # type: ignore[arg-type]
                if r.score > 0 and r.entity_type in PRESIDIO_TO_KIND]

    def is_allowed(self, value: str) -> bool:
        """True for a span that names a role, agency or process, not a person or place."""
        folded = value.casefold().strip(" .,;:'’\"()")
        folded = re.sub(r"['’]s$", "", folded)
        if folded in self.allow or folded.removeprefix("the ") in self.allow:
            return True
        if any(ch.isdigit() for ch in folded):  # "15 March 2018" is a date of birth, however allowed March is
            return False
        words = _WORD.findall(folded)
        return bool(words) and all(w in ROLE_WORDS or w in self.allow for w in words)

    def _denied(self, text: str) -> list[Finding]:
        if self._deny_pattern is None:
            return []
        kinds = {value.casefold(): kind for value, kind in self.deny}
        return [Finding(m.start(), m.end(), kinds.get(m.group(0).casefold(), "PERSON"))
                for m in self._deny_pattern.finditer(text)]


ADDRESS_PARTS = frozenset({"ADDRESS", "PLACE", "POSTCODE"})
NAME_PARTS = frozenset({"PERSON", "PLACE", "ORG"})


def detection_key(texts: Sequence[str], labels: Sequence[str]) -> str:
    """The identity of one `Detector.detect` call's inputs (never stored: it only pairs results in memory)."""
    digest = hashlib.sha256()
    for part in (*texts, "\x00labels", *labels):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def merge_overlaps(findings: Iterable[Finding], text: str | None = None) -> list[Finding]:
    """Overlapping findings become one span covering both; the more specific kind names it. Given the text,
    the parts of one address ("Flat 12, Beacon House, 40 Station Road") and of one name ("Tyrone Ellis-Mbeki")
    also join into one."""
    merged: list[Finding] = []
    for finding in sorted(findings):
        gap = text[merged[-1].end:finding.start] if text is not None and merged else None
        joins = gap is not None and (
            ({merged[-1].kind, finding.kind} <= ADDRESS_PARTS and len(gap) <= 2 and not gap.strip(" ,"))
            or ({merged[-1].kind, finding.kind} <= NAME_PARTS and gap in {" ", "-"}))
        if merged and (finding.start < merged[-1].end or joins):
            last = merged[-1]
            kind = max((last.kind, finding.kind), key=lambda k: PRIORITY.get(k, 0))
            merged[-1] = Finding(last.start, max(last.end, finding.end), kind, max(last.score, finding.score))
        else:
            merged.append(finding)
    return merged


def _parse_deny(deny: Iterable[str]) -> tuple[tuple[str, str], ...]:
    parsed = []
    for entry in deny:
        kind, sep, value = entry.partition(":")
        if sep and kind.strip().upper() in PRESIDIO_TO_KIND:
            parsed.append((value.strip(), PRESIDIO_TO_KIND[kind.strip().upper()]))
        else:
            parsed.append((entry.strip(), "PERSON"))
    return tuple((v, k) for v, k in parsed if v)


def _alternation(values: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted({v for v in values if v}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in ordered) + r")(?!\w)", re.IGNORECASE)
