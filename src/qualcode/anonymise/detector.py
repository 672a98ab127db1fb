"""Finding identifying spans with presidio on the bundled spaCy pipeline, plus qualcode's UK recognisers."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import spacy
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import NhsRecognizer, SpacyRecognizer, UkNinoRecognizer
from spacy.language import Language

from qualcode.anonymise.entities import PRESIDIO_TO_KIND, PRIORITY, Finding
from qualcode.anonymise.recognisers import TokenNameRecogniser, uk_recognisers
from qualcode.anonymise.vocabulary import DOMAIN_PHRASES, DOMAIN_TERMS
from qualcode.errors import ModelNotAvailable
from qualcode.nlp import DEFAULT_SPACY_MODEL

# Words that never identify anyone on their own: a span made only of these (and stop words) is kept.
ROLE_WORDS = frozenset("""
the a an of and for in on at to our their his her my your this that its it's is was
manager managers worker workers lead leads head chair nurse nurses officer officers director assistant
service services team teams social care children children's child family families health school schools
board partnership partners partner police council member members peer peers review reviewer manager's
principal designated named independent scrutiny chief executive business coordinator navigator visiting
visitor practitioner practitioners senior deputy acting interim clinical acute primary secondary
safeguarding protection public unit group panel forum meeting meetings conference conferences
strategy discussion discussions assessment assessments plan plans audit audits data hub front door
early help voluntary sector charity charities agency agencies multi-agency local authority authorities
education finance adult adults youth justice offending virtual court family's notes questionnaire
detective constable sergeant inspector superintendent headteacher governor mentor councillor mp commissioner
lawyer solicitor barrister magistrate judge midwife doctor paediatrician psychologist psychiatrist therapist
counsellor caseworker advocate volunteer parent parents carer carers foster adopter mum dad mother father
grandmother grandparent aunt sibling brother sister son daughter girl boy baby young person people student
students pupil pupils respondent interviewee interviewer participant speaker gp nhs agency-worker newly
qualified experienced locum practice quality assurance performance operational specialist expert
centre centres home homes hub hubs project projects house flats estate housing
""".split())
# presidio logs the words around each finding at debug level: statement text must never reach a log.
for _noisy in ("presidio-analyzer", "decision_process"):
    logging.getLogger(_noisy).disabled = True

NER_MAPPING = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION",
               "ORG": "ORGANIZATION"}
_WORD = re.compile(r"[\w'’&-]+")
_TWO_CHARACTERS = re.compile(r"[^\W_]{2}|\d")  # "n’t" and stray punctuation identify nobody


@lru_cache(maxsize=2)
def ner_pipeline(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """The spaCy pipeline detection needs: tagger and NER (the parser is not used)."""
    try:
        return spacy.load(name, exclude=["parser"])
    except OSError:
        raise ModelNotAvailable(f"The spaCy pipeline {name!r} is not installed.") from None


class Detector:
    """Finds identifying spans in batches of texts.

    Args:
        nlp: a spaCy pipeline with NER (default: the bundled model); injected so tests and teams can swap it.
        allow: words and phrases never redacted, on top of the field's own vocabulary.
        deny: words and phrases always redacted (as PERSON unless given as `KIND:value`).
        score_threshold: presidio scores below this are ignored; kept low because recall comes first.
    """

    def __init__(self, nlp: Language | None = None, *, allow: Iterable[str] = (), deny: Iterable[str] = (),
                 score_threshold: float = 0.3, batch_size: int = 32) -> None:
        self.nlp = nlp if nlp is not None else ner_pipeline()
        self.allow = frozenset(a.casefold().strip() for a in allow) | DOMAIN_TERMS | DOMAIN_PHRASES
        self.deny = _parse_deny(deny)
        self.batch_size = batch_size
        engine = SpacyNlpEngine(
            models=[{"lang_code": "en", "model_name": self.nlp.meta.get("name", "custom")}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=NER_MAPPING,
                labels_to_ignore=["DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "NORP",
                                  "EVENT", "LAW", "LANGUAGE", "WORK_OF_ART", "PRODUCT"]),
        )
        engine.nlp = {"en": self.nlp}  # type: ignore[assignment]  # loaded here: presidio must never download
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON", "LOCATION", "ORGANIZATION"],
                                                ner_strength=0.85))
        registry.add_recognizer(NhsRecognizer())
        registry.add_recognizer(UkNinoRecognizer())
        for recogniser in uk_recognisers():
            registry.add_recognizer(recogniser)
        registry.add_recognizer(TokenNameRecogniser(allow=self.allow))
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, default_score_threshold=score_threshold)
        self._deny_pattern = _alternation(value for value, _ in self.deny)

    def detect(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Findings for each text, overlaps merged, allowed words removed."""
        engine = self.analyzer.nlp_engine
        found: list[list[Finding]] = []
        for text, artifacts in engine.process_batch(list(texts), "en", batch_size=self.batch_size):
            results = self.analyzer.analyze(text, "en", nlp_artifacts=artifacts)
            findings = [Finding(r.start, r.end, PRESIDIO_TO_KIND[r.entity_type], r.score) for r in results
                        if r.entity_type in PRESIDIO_TO_KIND]
            findings = [f for f in findings if not self.is_allowed(text[f.start:f.end])
                        and _TWO_CHARACTERS.search(text[f.start:f.end])]
            findings.extend(self._denied(text))
            found.append(merge_overlaps(findings, text))
        return found

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


def merge_overlaps(findings: Iterable[Finding], text: str | None = None) -> list[Finding]:
    """Overlapping findings become one span covering both; the more specific kind names it. Given the text,
    the parts of one address ("Flat 12, Beacon House, 40 Station Road") also join into one."""
    merged: list[Finding] = []
    for finding in sorted(findings):
        gap = text[merged[-1].end:finding.start] if text is not None and merged else None
        joins = gap is not None and (
            ({merged[-1].kind, finding.kind} <= ADDRESS_PARTS and len(gap) <= 2 and not gap.strip(" ,"))
            or ({merged[-1].kind, finding.kind} <= NAME_PARTS and gap == " "))  # Tyrone Ellis-Mbeki
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
