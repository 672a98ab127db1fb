"""Recognisers for what UK safeguarding material holds and presidio does not find out of the box.

Recall matters more than precision here: a missed child's name is far worse than an over-redacted word, so
patterns lean wide and the allow-list (domain vocabulary, speaker roles) wins back precision.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import EmailRecognizer

CASE_SENSITIVE = re.DOTALL | re.MULTILINE
CASE_BLIND = CASE_SENSITIVE | re.IGNORECASE

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_FULL_DATE = (
    rf"(?:{_DAY}[/.\-]\s?[01]?\d[/.\-]\s?(?:\d{{4}}|\d{{2}})"          # 14/03/2015, 3.9.12, 07-11-2017
    r"|(?:19|20)\d{2}-[01]\d-[0-3]\d"                                  # 2009-11-17
    rf"|(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}\.?,?\s+(?:\d{{4}}|'\d{{2}})"  # 22nd June 2016, 2nd of May 2019
    rf"|{_MONTH}\.?\s+{_DAY},?\s+\d{{4}})"                              # June 22, 2016
)
_NUMBER_WORDS = (r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                 r"fifteen|sixteen|seventeen|eighteen)")
_STREET_TYPES = (r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Cl|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|Pl|"
                 r"Gardens|Gdns|Terrace|Grove|Hill|Park|Square|Sq|Walk|Mews|Row|Parade|View|Rise|Green|Croft|Vale|"
                 r"Fold|Wharf|Yard|Meadows?|Heights|Boulevard)")
_NAME_WORD = r"[A-Z][a-zA-Z'’\-]+"
_SCHOOL_WORDS = (r"(?:Primary|Secondary|Infants?|Junior|High|Grammar|Academy|Nursery|Pre-?school|School|College|"
                 r"Pupil\s+Referral\s+Unit|PRU|Children'?s\s+Centre|Learning\s+Centre)")
# Determiners and generic words that start phrases like "the Primary School" but name nothing.
_NOT_A_NAME = r"(?!(?:The|A|An|Our|Their|Your|My|His|Her|This|That|These|Those|Every|Each|Any|All|Some|Local|Most|Many|Both|Which|What|Other|Secondary|Primary|Special|Independent|Faith)\b)"  # noqa: E501


def _recogniser(entity: str, patterns: list[tuple[str, str, float]], *, flags: int = CASE_BLIND
                ) -> PatternRecognizer:
    return PatternRecognizer(supported_entity=entity, name=f"qualcode_{entity.lower()}",
                             patterns=[Pattern(name, regex, score) for name, regex, score in patterns],
                             global_regex_flags=flags)


class UkPhoneRecogniser(PatternRecognizer):
    """UK landlines and mobiles as people write them: 07700 900461, (0161) 496 0734, +44 (0)20 7946 0321."""

    PATTERN = (r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?\d{2,5}|\(?0\d{2,5}\)?)(?:[\s\-]?\d{3,4}){1,2}(?![\w])")

    def __init__(self) -> None:
        super().__init__(supported_entity="PHONE", name="qualcode_phone",
                         patterns=[Pattern("uk phone", self.PATTERN, 0.6)], global_regex_flags=CASE_SENSITIVE)

    def validate_result(self, pattern_text: str) -> bool:
        digits = re.sub(r"\D", "", pattern_text)
        if digits.startswith("44"):
            digits = "0" + digits[2:].removeprefix("0")
        return digits.startswith("0") and len(digits) in (10, 11)


class OfflineEmailRecogniser(EmailRecognizer):
    """presidio's e-mail pattern without its tldextract check, which fetches a suffix list from the internet."""

    def validate_result(self, pattern_text: str) -> bool:
        domain = pattern_text.rpartition("@")[2]
        return "." in domain and not domain.endswith(".")


class TokenNameRecogniser(EntityRecognizer):
    """Names the small NER model misses, found token by token:

    - first names and surnames from Faker's name lists (many locales): single first names, names of every
      origin; a name that is also a word (Will, Hope) only when the tagger calls it a proper noun or a
      capitalised surname follows;
    - any capitalised proper noun inside a sentence that is not the field's vocabulary (a street, an estate,
      a surname no list has): recall first;
    - lower-case first names in auto-transcripts, when the tagger sees a noun and the word is not common.
    """

    LOCALES = ("en_GB", "en_US", "en_IE", "en_NG", "en_PK", "en_IN", "pl_PL", "ro_RO", "yo_NG", "ig_NG",
               "tr_TR", "pt_PT", "it_IT", "lt_LT", "ar_AA", "zh_CN", "hi_IN", "es_ES", "fr_FR", "de_DE")
    # Names that are also ordinary words: taken only with a proper-noun tag or a capitalised surname after.
    WORD_LIKE = frozenset("""
        will may mark hope grace rose june april august bill dawn summer joy faith sky rich bob pat sue jack
        frank earl art guy ray don chase hunter miles max case page star sunny honey angel lane lee young king
        white brown green black long hill wood ford price park say can so in be do no see van von de la le di
        ken job mo jo al ash reed rowan hazel holly ivy iris lily violet daisy ruby amber crystal pearl jade
        heather christian major sterling royal prince precious blessing justice gift patience mercy charity
        chance honor harmony destiny trinity unique story river stone storm rain snow winter autumn spring
        forest saint sunday monday tuesday friday march september october november december january february
        july early help team head lead chair nurse police court board carer child children family mum dad nan
        gran baby father mother sister brother son daughter aunt uncle doctor judge bishop mason cook baker
        taylor carter fisher hunter walker turner parker cooper porter miller butler mercy sergeant dean
        robin sandy victor willow autumn""".split())
    _BOUNDARY = frozenset({".", "!", "?", ":", ";", "\n", '"', "("})
    _NOT_NAMES = frozenset({"AUX", "VERB", "ADJ", "ADV", "DET", "PRON", "ADP", "CCONJ", "SCONJ", "PART", "INTJ", "NUM"})

    def __init__(self, allow: frozenset[str] = frozenset()) -> None:
        self.allow = allow
        super().__init__(supported_entities=["PERSON", "PLACE"], name="qualcode_token_names",
                         supported_language="en")

    def load(self) -> None:
        self.first, self.last = name_lists()
        self.common = common_words()

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
                ) -> list[RecognizerResult]:
        if nlp_artifacts is None or not nlp_artifacts.tokens:
            return []
        tokens = list(nlp_artifacts.tokens)
        results: list[RecognizerResult] = []
        for i, token in enumerate(tokens):
            kind = self._kind(tokens, i)
            if kind is None:
                continue
            start, end = token.idx, token.idx + len(token.text)
            while (i + 2 < len(tokens) and tokens[i + 1].text in {"-", "‐"} and not tokens[i + 1].whitespace_
                   and tokens[i + 2].text[:1].isupper()):  # Amelia-Rose, Lily-Grace
                i += 2
                end = tokens[i].idx + len(tokens[i].text)
            results.append(RecognizerResult(kind, start, end, 0.5))
        return results

    def _kind(self, tokens: list, i: int) -> str | None:  # type: ignore[type-arg]
        token = tokens[i]
        word = token.text
        folded = word.casefold()
        if len(word) < 2 or not word.isalpha() or folded in self.allow:
            return None
        initial = i == 0 or tokens[i - 1].text.strip() in self._BOUNDARY or "\n" in tokens[i - 1].text
        following = tokens[i + 1].text if i + 1 < len(tokens) else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        surname_next = after is not None and following[:1].isupper() and following.isalpha() and (
            following.casefold() in self.last or (after.pos_ == "PROPN" and following.casefold() not in self.allow))
        if word[0].isupper():
            if word.isupper():  # acronyms: DSL, MASH, CAMHS
                return None
            if folded in self.WORD_LIKE:
                return "PERSON" if (token.pos_ == "PROPN" and folded in self.first) or surname_next else None
            if folded in self.first or (not initial and folded in self.last):
                # "Can I start", "Daily updates": a listed name that opens a sentence must be tagged a name
                if (initial or folded in self.common) and token.pos_ in self._NOT_NAMES:
                    return None
                return "PERSON"
            if not initial and token.pos_ == "PROPN":
                return "PLACE"
            return None
        if (len(word) >= 4 and folded in self.first and folded not in self.WORD_LIKE
                and folded not in self.common and token.pos_ in {"PROPN", "NOUN", "X"}):
            return "PERSON"
        return None


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames), case-folded, from Faker's person providers; read once, offline."""
    first: set[str] = set()
    last: set[str] = set()
    for locale in TokenNameRecogniser.LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        for attribute, target in (("first_names", first), ("first_names_male", first),
                                  ("first_names_female", first), ("first_names_nonbinary", first),
                                  ("last_names", last)):
            values = getattr(provider, attribute, None) or ()
            target.update(v.casefold() for v in values if isinstance(v, str) and v.isalpha() and len(v) > 1)
    return frozenset(first), frozenset(last - common_words())


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Everyday English words (Faker's word list plus spaCy's stop words): never a lower-case name."""
    from faker.providers.lorem.en_US import Provider
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(Provider.word_list) | frozenset(STOP_WORDS)


def first_names() -> frozenset[str]:
    return name_lists()[0]


class LowerCaseNameRecogniser(PatternRecognizer):
    """Schools and places typed in lower case by auto-transcription ("oakfield primary school", "up on
    bracken hill"); refused when the leading word is an everyday word ("our primary school", "on the hill")."""

    def __init__(self, entity: str, regex: str) -> None:
        super().__init__(supported_entity=entity, name=f"qualcode_lower_{entity.lower()}",
                         patterns=[Pattern(f"lower-case {entity.lower()}", regex, 0.5)],
                         global_regex_flags=CASE_SENSITIVE)

    def invalidate_result(self, pattern_text: str) -> bool:
        words = [w for w in pattern_text.split() if not w[:1].isdigit() and w.casefold() not in {"st", "st."}]
        first = words[0].casefold() if words else ""
        return first in common_words() or first in _GENERIC_LEADS


_GENERIC_LEADS = frozenset("""local nearby big small new old main other same council housing primary secondary
    special village town city county school family community children's childrens health police""".split())
_LOWER_PLACE_TYPES = (r"(?:estate|hill|vale|green|park|road|lane|street|close|way|avenue|crescent|grove|terrace|"
                      r"flats|walk|drive|gardens|court|place|row|parade)")


def uk_recognisers() -> list[EntityRecognizer]:
    """The pattern recognisers qualcode adds to presidio's UK NHS and NI number recognisers."""
    return [
        UkPhoneRecogniser(),
        OfflineEmailRecogniser(),
        _recogniser("POSTCODE", [("uk postcode", r"\b(?:GIR\s?0AA|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b", 0.7)]),
        _recogniser("DATE_OF_BIRTH", [
            ("full date", rf"\b{_FULL_DATE}(?!\w)", 0.6),
            ("born on", rf"(?<=\bborn\s)(?:on\s+|in\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}\b", 0.6),
            ("dob", rf"(?<=\b(?:dob|d\.o\.b\.?|date of birth)[:\s])\s*{_FULL_DATE}", 0.9),
        ]),
        _recogniser("AGE", [
            ("n-year-old", rf"\b{_NUMBER_WORDS}[\s\-](?:years?|yrs?|months?|weeks?)[\s\-]old\b", 0.6),
            ("aged n", rf"\b(?:aged?|age of)\s+{_NUMBER_WORDS}\b", 0.6),
            ("she's n", rf"(?<=\b(?:she's|he's|she is|he is|she was|he was|they're|who's|who is|turned|turns)\s)"
                        rf"(?:only\s+|just\s+)?{_NUMBER_WORDS}\b(?!\s*(?:%|per|percent|pounds|k\b|m\b|minutes|hours|"
                        r"days|children|cases|files|times|o'clock|am|pm|a\.m|p\.m))", 0.4),
            ("name is n", rf"(?<=\b[A-Z][a-z]+(?:['’]s|,?\s(?:is|was))\s)(?:only\s+|just\s+)?{_NUMBER_WORDS}\b"
                          r"(?!\s*(?:%|per|percent|pounds|minutes|hours|days|children|cases|files|times))", 0.4),
            ("n months", rf"(?<=\b(?:was|is|aged|just)\s){_NUMBER_WORDS}\s+(?:months|weeks)\b", 0.4),
            ("name, n,", r"(?<=\b[A-Z][a-z]+,\s)\d{1,2}(?=,)", 0.4),
        ]),
        _recogniser("ADDRESS", [
            ("numbered street", rf"\b(?:(?:Flat|Apartment|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{{1,4}}[A-Za-z]?,?\s+"
                                rf"(?:{_NAME_WORD}\s+){{1,3}}{_STREET_TYPES}\b", 0.7),
            ("flat", rf"\b(?:Flat|Apartment)\s+\d+[A-Za-z]?,?\s+(?:{_NAME_WORD}\s+){{1,3}}(?:House|Court|Tower|"
                     r"Lodge|Heights|Building)\b", 0.7),
        ], flags=CASE_SENSITIVE),
        _recogniser("PLACE", [
            ("street", rf"\b{_NOT_A_NAME}(?:{_NAME_WORD}\s+){{1,3}}{_STREET_TYPES}\b", 0.5),
            ("estate", rf"\b{_NOT_A_NAME}(?:{_NAME_WORD}\s+){{1,2}}(?:[Ee]state|[Vv]illage|[Pp]ark)\b", 0.5),
        ], flags=CASE_SENSITIVE),
        _recogniser("SCHOOL", [
            ("named school", rf"\b{_NOT_A_NAME}(?:St\.?\s+)?(?:{_NAME_WORD}\s+){{1,4}}(?:(?:C\s?of\s?E|CE|RC|"
                             rf"Catholic|Church of England|Community|Free|Infant|Junior|Primary|Secondary|High)\s+)*"
                             rf"{_SCHOOL_WORDS}(?:\s+(?:School|Academy|Nursery))?\b", 0.7),
        ], flags=CASE_SENSITIVE),
        _recogniser("ORG", [
            ("named service", rf"\b{_NOT_A_NAME}(?:{_NAME_WORD}\s+){{1,3}}(?:Medical Centre|Surgery|Health Centre|"
                              r"Practice|Ward|Unit|Trust|Housing|Homes?|Football Club|FC|Foundation|Project|Church|"
                              r"Mosque|Hub|Families|Aid|Network|Refuge|Centre|House)\b", 0.5),
        ], flags=CASE_SENSITIVE),
        _recogniser("PERSON", [
            ("title and name", rf"(?<=\b(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|DC|DS|DI|DCI|PC|Sgt|Cllr)\.?|Sergeant|Inspector|"
                               rf"Constable|Detective|Officer|Councillor|Nurse|Auntie|Aunty|Uncle|Nanna|Nan|Grandad|"
                               rf"Baby)\s){_NAME_WORD}(?:[\s\-]{_NAME_WORD})?", 0.7),
            ("lower-case title and name", r"(?<=\b(?:mr|mrs|ms|miss|dr)\.?\s)[a-z][a-z'’\-]{2,}", 0.5),
        ], flags=CASE_SENSITIVE),
        LowerCaseNameRecogniser("SCHOOL", r"\b[a-z]{3,}(?:\s[a-z]{3,})?\s+(?:primary|secondary|infants?|junior|high|"
                                          r"grammar|community)\s+(?:school|academy)\b|\bst\.?\s[a-z]{3,}['’]s\b"),
        LowerCaseNameRecogniser("ADDRESS", rf"\b\d{{1,4}}[a-z]?\s+[a-z]{{3,}}(?:\s[a-z]{{3,}})?\s+"
                                           rf"{_LOWER_PLACE_TYPES}\b"),
        LowerCaseNameRecogniser("PLACE", rf"(?<=\b(?:on|in|to|from|at|near|round|up|over)\s(?:the\s)?)[a-z]{{3,}}"
                                         rf"(?:\s[a-z]{{3,}})?\s+{_LOWER_PLACE_TYPES}\b"),
        _recogniser("HANDLE", [
            ("at handle", r"(?<![\w@.])@[A-Za-z0-9_.]{2,30}\b", 0.7),
            ("underscored tag", r"\b(?=[A-Za-z0-9]*_)(?=\w*[A-Za-z])\w{3,30}\b", 0.5),
            ("profile link", r"\b(?:www\.)?(?:facebook|instagram|tiktok|twitter|x|snapchat|youtube)\.com/[\w.\-/]+",
             0.8),
            ("named handle", r"(?<=\b(?:snapchat|snap|insta|instagram|tiktok|twitter|facebook|fb)\s?:?\s"
                             r"(?:(?:name|handle|account)\s)?(?:is\s|was\s)?)"
                             r"(?!is\b|was\b|and\b|the\b|name\b|handle\b|account\b)"
                             r"[A-Za-z0-9_.]{3,30}[A-Za-z0-9_]", 0.6),
        ]),
        _recogniser("CASE_REF", [
            ("reference", r"(?<=\b(?:ref|reference|case|file|crime|incident|mosaic|lcs|id|number|no)"
                          r"(?:\s?(?:no|number|ref|id))?\.?[:#]?\s)"
                          r"(?:[A-Z]{1,4}[\-/ ]?)?\d[\dA-Z]*(?:[\-/]\d[\dA-Z]*)*",
             0.6),
            ("coded id", r"\b[A-Z]{2,4}[\-/]\d{2,4}[\-/]\d{2,6}\b|\b\d{1,4}/\d{4,6}/\d{2,4}\b", 0.6),
            ("long number", r"(?<![\d£$.,])\d{6,9}(?![\d%])", 0.4),
        ]),
    ]
