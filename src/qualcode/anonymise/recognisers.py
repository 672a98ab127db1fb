"""Pattern recognisers for the written identifiers UK safeguarding material holds, on presidio's pattern engine.

Only what has a shape lives here: phone numbers, e-mail addresses, postcodes, NHS and National Insurance numbers,
numbered street addresses, handles, case references, ages. Names are decided from evidence (`evidence`), and
what people say aloud ("oh seven seven double oh ...") is read by `spoken`.
"""

from __future__ import annotations

import re

from qualcode.anonymise.presidio import (
    EmailRecognizer,
    EntityRecognizer,
    NhsRecognizer,
    Pattern,
    PatternRecognizer,
    UkNinoRecognizer,
)

CASE_SENSITIVE = re.DOTALL | re.MULTILINE
CASE_BLIND = CASE_SENSITIVE | re.IGNORECASE

_NUMBER_WORDS = (r"(?:\d{1,2}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s\-](?:one|two|three|four|"
                 r"five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                 r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)(?:\s+and\s+a\s+half)?")
_STREET_TYPES = (r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Cl|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|Pl|"
                 r"Gardens|Gdns|Terrace|Grove|Hill|Park|Square|Sq|Walk|Mews|Row|Parade|View|Rise|Green|Croft|Vale|"
                 r"Fold|Wharf|Yard|Meadows?|Heights|Boulevard)")
_NAME_WORD = r"[A-Z][a-zA-Z'’\-]+"
_LOWER_STREET_TYPES = (r"(?:estate|hill|vale|green|park|road|lane|street|close|way|avenue|crescent|grove|terrace|"
                       r"flats|walk|drive|gardens|court|place|row|parade)")
# What follows a number that makes it a count, a time or money rather than somebody's age.
_NOT_AN_AGE = (r"(?!\s*(?:%|per\b|percent|pounds|quid|grand|k\b|m\b|minutes?|hours?|days|of\b|or\b|in\b|out\b|"
               r"more|less|children|cases|files|times|o'clock|am\b|pm\b|a\.m|p\.m|hundred|thousand|million|"
               r"people|staff|workers|social|teams?|things|ways|reasons|weeks?\s+(?:ago|later|before|after)|"
               r"(?:to|-|–)\s*(?:\d|twenty|thirty|eighteen|nineteen|sixteen|seventeen|fifteen)))")  # "aged 15 to 21"


# The village or district written after a street, as on an envelope: "4 Front Street, Leadgate".
_LOCALITY = (r"(?:,\s(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|"
             r"June|July|August|September|October|November|December|The|This|That|Which|Where|When|But|And|So|I)\b)"
             rf"{_NAME_WORD}(?:\s{_NAME_WORD})?)?")


# The age of a record or a plan is not somebody's ("the record says something six weeks old").
_OF_A_THING = (r"(?<!\b(?:something|anything|nothing|everything|theirs|ours|yours|mine|it|record|records|data|"
               r"information|notes|plan|plans|"
               r"assessment|assessments|chronology|report|reports|figures|referral|referrals|minutes|file|files|"
               r"photo|photos|picture|message|messages|post|posts|video|videos|system|policy|procedure)\s)"
               r"(?<!\b(?:theirs|ours|yours|mine|it|its|that|this)\s(?:was|is|were|are)\s)")  # "theirs was 3 years old"


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
                         patterns=[Pattern("uk phone", self.PATTERN, 0.9)], global_regex_flags=CASE_SENSITIVE)

    def validate_result(self, pattern_text: str) -> bool:
        digits = re.sub(r"\D", "", pattern_text)
        if digits.startswith("44"):
            digits = "0" + digits[2:].removeprefix("0")
        if digits.startswith("0") and len(digits) in (10, 11):
            return True
        # the start of a number, grouped as one is said ("calls from a 0113 496 number"): it narrows a search
        return bool(re.fullmatch(r"\(?0[1237]\d{2,3}\)?[\s\-]\d{3,4}", pattern_text)) and 7 <= len(digits) <= 9


class OfflineEmailRecogniser(EmailRecognizer):
    """presidio's e-mail pattern without its tldextract check, which fetches a suffix list from the internet."""

    def validate_result(self, pattern_text: str) -> bool:
        domain = pattern_text.rpartition("@")[2]
        return "." in domain and not domain.endswith(".")


class HandleRecogniser(PatternRecognizer):
    """Social-media handles; an everyday word after "snap" ("on snap like") is speech, not a handle."""

    def validate_result(self, pattern_text: str) -> bool:
        from qualcode.anonymise.lexicon import lexicon

        return (pattern_text.startswith("@") or any(not ch.isalpha() for ch in pattern_text)
                or not lexicon().is_common(pattern_text))


class AnyNhsNumberRecogniser(NhsRecognizer):
    """NHS numbers in their 3-3-4 shape whether or not the check digit is right: a mistyped number still points
    at a child."""

    def validate_result(self, pattern_text: str) -> bool:
        return True


def uk_recognisers() -> list[EntityRecognizer]:
    """The written identifiers: each recogniser finds one kind by its shape."""
    return [
        UkPhoneRecogniser(),
        OfflineEmailRecogniser(),
        AnyNhsNumberRecogniser(),
        UkNinoRecognizer(),
        _recogniser("NI_NUMBER", [  # the six digits grouped any way ("ZA 639 214 C"); presidio knows pairs only
            ("grouped nino", r"\b(?-i:[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])\s?(?:\d\s?){6}(?-i:[A-D])\b", 0.85)]),
        _recogniser("POSTCODE", [("uk postcode", r"\b(?:GIR\s?0AA|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})\b", 0.9)]),
        _recogniser("AGE", [
            ("n-year-old", rf"{_OF_A_THING}\b{_NUMBER_WORDS}[\s\-](?:years?|yrs?|months?|weeks?)[\s\-]old\b", 0.8),
            ("aged n", rf"\b(?:aged?|age of)\s+{_NUMBER_WORDS}\b{_NOT_AN_AGE}", 0.8),
            ("she's n", rf"(?<=\b(?:she's|he's|she is|he is|she was|he was|she'll be|he'll be|she'd be|he'd be|"
                        rf"who's|who is|who was|who are|who were|they're|they are|they were|turned|turns|turning|"
                        rf"boy's|girl's|son's|"
                        rf"daughter's|baby's|lad's|brother's|sister's|eldest's|youngest's|eldest is|youngest is)\s)"
                        rf"(?:only\s+|just\s+|nearly\s+|almost\s+|like\s+|about\s+)?{_NUMBER_WORDS}\b"
                        rf"(?:\s+and\s+{_NUMBER_WORDS}\b)?{_NOT_AN_AGE}", 0.8),  # "who are six and three"
            ("came into care at n", rf"(?<=\b(?:into\scare|to\sus|accommodated|adopted|excluded|arrived|"
                                    rf"(?:taken|took|pulled)\s\w+\sout|placed(?:\s\w+){{0,3}}|to\sthe\suk|"
                                    rf"to\sengland|to\sthis\scountry|on\shis\sown|on\sher\sown)\sat\s)"
                                    rf"{_NUMBER_WORDS}\b(?!\s*(?:o['’]?clock|am\b|pm\b|a\.m|p\.m|in\sthe|at\snight|"
                                    rf"tonight|thirty|fifteen|forty|forty-five|on\b))", 0.75),
            ("makes him n", rf"(?<=\b(?:make|makes|making|made)\s(?:him|her|them)\s|\bpresents?\sas\s)"
                            rf"(?:only\s|just\s|about\s|nearly\s)?{_NUMBER_WORDS}\b{_NOT_AN_AGE}", 0.75),
            ("initials, n", r"(?<=[:(]\s?(?-i:[A-Z]{1,3}),\s)\d{1,2}(?=[,)])", 0.8),  # "case: JB, 16, DOB", "(RP, 9)"
            ("(name, n)", r"(?<=\((?-i:[A-Z][a-z]+),\s)\d{1,2}(?=\))", 0.8),  # "(Mason, 15)"
            ("left school at n", rf"(?<=\bleft\s(?:school|(?:[A-Z][a-z]+\s){{1,3}}(?:School|Academy|College))\sat\s)"
                                 rf"{_NUMBER_WORDS}\b", 0.75),
            ("assessed as n", rf"(?<=\b(?:found|had|assessed|put|aged|recorded)\s(?:him|her|them)\s(?:as\s)?)"
                              rf"{_NUMBER_WORDS}\b{_NOT_AN_AGE}", 0.75),  # "the home office had him as nineteen"
            ("girl of n", rf"(?<=\b(?:boy|girl|baby|lad|lass|child|son|daughter|kid|toddler|teenager)\s(?:of|aged)\s)"
                          rf"{_NUMBER_WORDS}\b{_NOT_AN_AGE}", 0.8),
            ("child, n", rf"(?<=\b(?:boy|girl|baby|lad|lass|child|son|daughter|brother|sister|kid|toddler|sibling|"
                         rf"mum|dad|mother|father)[,:]?\s){_NUMBER_WORDS}(?:\s(?:months?|weeks?|years?)(?:\sold)?)?"
                         rf"(?=\s*[,;)])", 0.8),  # "a baby, three months, admitted", "mum 17,"
            ("name (n)", r"(?<=[A-Za-z] \()\d{1,2}(?:\s+(?:weeks?|months?|years?|yrs?|wks?|mths?))?(?=\))", 0.8),
        ]),
        _recogniser("PERSON", [  # somebody known by initials: "I'll call him J", "Mr K", "recorded only as JP"
            ("initials said as a name", r"(?<=\b(?:[Cc]all(?:ed|ing)?\s(?:him|her|them)|[Kk]nown\sas|[Rr]ecorded\s"
                                        r"(?:only\s)?as|[Ii]nitialled|Mr|Mrs|Ms|Miss|Mx|Dr)\s)[A-Z]{1,3}\b(?![\w&])",
             0.8),
            ("initials and an age", r"\b[A-Z]{1,3}(?=\s\(\d{1,2}\))", 0.8),  # "Case 1: TR (7)"
        ], flags=CASE_SENSITIVE),
        _recogniser("ADDRESS", [
            ("numbered street", rf"\b(?:(?:Flat|Apartment|Unit)\s+(?:\d+[A-Za-z]?|[A-Z]),?\s+)?\d{{1,4}}[A-Za-z]?,?\s+"
                                rf"(?:{_NAME_WORD}\s+){{1,3}}{_STREET_TYPES}\b{_LOCALITY}", 0.9),
            ("flat", rf"\b(?:Flat|Apartment)\s+\d+[A-Za-z]?,?\s+(?:{_NAME_WORD}\s+){{1,3}}(?:House|Court|Tower|"
                     rf"Lodge|Heights|Building)\b{_LOCALITY}", 0.9),
            ("unit", rf"\b(?:Flat|Apartment|Unit|Plot)\s+\d+[A-Za-z]?,?\s+{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}"
                     rf"{_LOCALITY}", 0.8),
        ], flags=CASE_SENSITIVE),
        _recogniser("ADDRESS", [
            ("lower-case numbered street", rf"\b(?:(?:flat|apartment|unit|plot)\s+(?:\d{{1,4}}[a-z]?,?\s+)?)?"
                                           rf"\d{{1,4}}[a-z]?\s+[a-z]{{3,}}"
                                           rf"(?:\s[a-z]{{3,}})?\s+"
                                           rf"{_LOWER_STREET_TYPES}\b", 0.8),
        ], flags=CASE_SENSITIVE),
        HandleRecogniser(supported_entity="HANDLE", name="qualcode_handle", global_regex_flags=CASE_BLIND, patterns=[
            Pattern(name, regex, score) for name, regex, score in [
            ("at handle", r"(?<![\w@.])@[A-Za-z0-9_.]{2,30}\b", 0.9),
            ("tag with a number", r"(?<![\w.@])(?=[\w.]*_)(?=[\w.]*\d)(?=[\w.]*[A-Za-z])\w[\w.]{2,28}\w\b", 0.8),
            ("tag with a dot", r"(?<![\w.@])(?=[\w.]*_)(?=[A-Za-z0-9_]*\.[A-Za-z])[A-Za-z0-9][\w.]{2,28}[A-Za-z0-9]\b",
             0.75),  # lil.reign_x
            # liltee_s8x, andreea.d_0310
            ("profile link", r"\b(?:www\.)?(?:facebook|instagram|tiktok|twitter|x|snapchat|youtube)\.com/[\w.\-/]+",
             0.9),
            ("named handle", r"(?<=\b(?:snapchat|snap|insta|instagram|tiktok|twitter|facebook|fb)\s?[:,]?\s"
                             r"(?:(?:name|handle|account|username)\s)?(?:is\s|was\s)?)"
                             r"(?!is\b|was\b|and\b|the\b|name\b|handle\b|account\b|on\b|but\b|too\b)"
                             r"[A-Za-z0-9_.]{3,30}[A-Za-z0-9_]", 0.8),
            ("account's handle", r"(?<=\b(?:account['’]s|snap['’]s|insta['’]s|tiktok['’]s|handle['’]s)\s)"
                                 r"[A-Za-z0-9_.]{3,30}[A-Za-z0-9_]", 0.8),
            ("called handle", r"(?<=\b(?:username|user\sname|handle|gamertag|screen\sname)\s?(?:is|was|:)\s)"
                              r"[A-Za-z0-9_.]{3,30}[A-Za-z0-9_]", 0.8),
        ]]),
        _recogniser("CASE_REF", [
            ("reference", r"(?<=\b(?:ref|reference|case|file|crime|incident|mosaic|lcs|id|number|no)"
                          r"(?:\s?(?:no|number|ref|id))?\.?[:#]?\s)"
                          r"(?:(?-i:[A-Z]{1,4})[\-/ ]?)?\d(?=[\dA-Z\-/]{2})[\dA-Z]*(?:[\-/]\d[\dA-Z]*)*",
             0.8),
            ("coded id", r"\b(?=[A-Z0-9/\-]*\d)[A-Z0-9]{1,10}(?:[/\-][A-Z0-9]{1,10}){2,}\b", 0.8),  # OP/SWIFT/2291
            ("system id", r"\b(?-i:[A-Z]{2,5})(?:[\-/]?\d{4,}|\s\d{5,})\b", 0.8),  # MOS-448102, LCS123456, LL 22109
            ("long number", r"(?<![\d£$.,])\d{6,9}(?![\d%])", 0.6),
        ]),
    ]
