"""Structured identifiers as people say them and auto-transcription writes them down.

"oh seven seven double oh nine ..." is a phone number, "second of may twenty twelve" a date of birth, "kerry dot
walsh at hotmail dot co dot uk" an e-mail address, "the s5 area" a postcode district, "YX19 KTM" a car. Each
function returns findings (kind and where, never the value) for one text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from qualcode.anonymise.entities import Finding

if TYPE_CHECKING:
    from qualcode.anonymise.lexicon import Lexicon

_UNITS = {"oh": 0, "o": 0, "zero": 0, "nought": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4,
          "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
          "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_REPEAT = {"double": 2, "treble": 3, "triple": 3}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TEENS, *_TENS, *_REPEAT, "hundred", "thousand"], key=len,
                               reverse=True))
# A run of spoken or written digits: "oh seven seven double oh nine, oh oh four six one", "0114 four nine six".
_DIGIT_RUN = re.compile(rf"(?<![\w.])(?:(?:{_NUMBER_WORD}|\d+)(?:[\s,.\-]{{1,3}}(?:and\s+)?|$)){{3,}}",
                        re.IGNORECASE)
_PHONE_CUE = re.compile(r"\b(?:mobile|phone|number|ring|rang|call|text|landline|tel|contact|on)\b(?:\W+\w+){0,3}\W*$",
                        re.IGNORECASE)
_TOKEN = re.compile(rf"{_NUMBER_WORD}|\d+", re.IGNORECASE)


def digits_of(spoken: str) -> str:
    """The digit string a run of number words and digits stands for ("double oh nine" -> "009")."""
    out: list[str] = []
    repeat = 1
    tokens = [t.casefold() for t in _TOKEN.findall(spoken)]
    for i, token in enumerate(tokens):
        if token in _REPEAT:
            repeat = _REPEAT[token]
            continue
        if token.isdigit():
            digits = token
        elif token in _UNITS:
            digits = str(_UNITS[token])
        elif token in _TEENS:
            digits = str(_TEENS[token])
        elif token in _TENS:
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            digits = str(_TENS[token] // 10) + ("" if following in _UNITS and following not in {"oh", "o"}
                                                 and _UNITS[following] else "0")
        elif token == "hundred":
            digits = "00"
        else:  # thousand
            digits = "000"
        out.append(digits[:1] * repeat + digits[1:] if repeat > 1 else digits)
        repeat = 1
    return "".join(out)


_DIGIT_BY_DIGIT = re.compile(r"(?:(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine|double|treble|"
                             r"triple)[\s,.\-]+)+(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine)",
                             re.IGNORECASE)


def spoken_numbers(text: str) -> Iterator[Finding]:
    """Phone numbers and NHS numbers spoken, written in groups, or mixed: decided by the digits they make."""
    for match in _DIGIT_RUN.finditer(text):
        span = re.sub(r"(?:[\s,.\-]+and)?[\s,.\-]*$", "", match.group(0))
        if not any(ch.isalpha() for ch in span) and len(span.replace(" ", "")) < 10:
            continue  # plain digits are the written recognisers' job; short runs are counts
        if re.search(r"\d,\d{3}\b|\d\.\d", span):
            continue  # 20,000 and 3.5: amounts, not identifiers
        digits = digits_of(span)
        end = match.start() + len(span)
        if len(digits) < 10:
            cue = _PHONE_CUE.search(text, max(0, match.start() - 40), match.start())
            if len(digits) >= 6 and cue and any(ch.isalpha() for ch in span):  # "my mobile's seven seven double oh"
                yield Finding(match.start(), end, "PHONE", 0.7)
            elif len(digits) >= 5 and _DIGIT_BY_DIGIT.fullmatch(span):  # "one one eight three four two two"
                yield Finding(_letters_before(text, match.start()), end, "CASE_REF", 0.7)
            continue
        if digits.startswith(("0", "44")) and 10 <= len(digits) <= 13:
            yield Finding(match.start(), end, "PHONE", 0.9)
        elif len(digits) == 10:
            yield Finding(match.start(), end, "NHS_NUMBER", 0.8)
        else:
            yield Finding(_letters_before(text, match.start()), end, "CASE_REF", 0.6)


_LETTERS_BEFORE = re.compile(r"(?<![\w'’])([a-z]{1,3})\s+$", re.IGNORECASE)


def _letters_before(text: str, start: int) -> int:
    """Where a reference read aloud starts: with the letters that prefix its digits ("ch four four seven one"), when
    they are not a word of their own ("it's", "on", "no")."""
    from qualcode.anonymise.lexicon import DISCOURSE, lexicon

    match = _LETTERS_BEFORE.search(text, max(0, start - 5), start)
    if match is None:
        return start
    letters = match.group(1).casefold()
    if letters in lexicon().stop_words or letters in lexicon().dictionary or letters in DISCOURSE:
        return start
    return match.start(1)


_ORDINAL_UNITS = ("first|second|third|fourth|fifth|sixth|seventh|eighth|ninth")
_ORDINAL_WORDS = (rf"(?:(?:twenty|thirty)[\s\-]?(?:{_ORDINAL_UNITS})|{_ORDINAL_UNITS}|tenth|eleventh|twelfth|"
                  r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)")
_ORDINAL = rf"(?:{_ORDINAL_WORDS}|[0-3]?\d(?:st|nd|rd|th)?)"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_SMALL = "one|two|three|four|five|six|seven|eight|nine"
_YEAR_WORDS = (rf"(?:twenty[\s\-](?:{_SMALL}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
               rf"eighteen|nineteen|twenty(?:[\s\-](?:{_SMALL}))?)"
               rf"|two\s+thousand(?:\s+and)?(?:\s+(?:{_SMALL}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
               rf"seventeen|eighteen|nineteen|twenty(?:[\s\-](?:{_SMALL}))?))?"
               rf"|nineteen[\s\-](?:seventy|eighty|ninety)(?:[\s\-](?:{_SMALL}))?)")
_YEAR = rf"(?:(?:19|20)\d\d|'\d\d|{_YEAR_WORDS})"
_MONTH_ORDINAL = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
                  r"[01]?\d(?:st|nd|rd|th))")
_MONTH_NUMBER = rf"{_SMALL}|ten|eleven|twelve"
_DAY_NUMBER = (rf"(?:twenty|thirty)[\s\-](?:{_SMALL})|{_SMALL}|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
               rf"seventeen|eighteen|nineteen|twenty|thirty")
_SPOKEN_DATES = re.compile(
    rf"\b(?:(?:the\s+)?{_ORDINAL}\s+(?:of\s+)?{_MONTH}\.?,?\s+{_YEAR}"   # the second of may twenty twelve
    rf"|{_MONTH}\.?\s+(?:the\s+)?{_ORDINAL},?\s+{_YEAR}"                # may the second 2012
    rf"|(?<=\bborn\s)(?:on\s+|in\s+)?(?:the\s+)?{_ORDINAL}\s+(?:of\s+)?{_MONTH}\b(?:,?\s+{_YEAR})?"
    rf"|(?:the\s+)?{_ORDINAL}\s+of\s+(?:the\s+)?{_MONTH_ORDINAL},?\s+{_YEAR}"  # the seventh of the ninth twenty ten
    rf"|(?<=\bborn\s)(?:in\s+)?{_YEAR}\s+on\s+(?:the\s+)?{_ORDINAL}\s+(?:of\s+)?{_MONTH}\b"  # in 2010 on the 19th
    rf"|(?:19|20)\d\d[\-/.]\d{{1,2}}[\-/.]\d{{1,2}}"                    # 2012-05-02, impossible ones too
    rf"|\d{{1,2}}[/.\-]\s?\d{{1,2}}[/.\-]\s?(?:\d{{4}}|\d{{2}})"          # 14/03/2015, 3.9.12
    rf")(?![\w/])",
    re.IGNORECASE,
)
# After "dob" / "date of birth" / "born on": the next few words, whatever they are, are the date.
_AFTER_BIRTH = re.compile(r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s?date|birthday)\b[\s:,]*"
                          r"(?:(?:[a-z']+\s+){0,6}?(?:is|was|as|says|said|reads)\s+)?"
                          r"(?P<date>(?:(?:the|of|on|" + _NUMBER_WORD
                          + rf"|{_ORDINAL}|{_MONTH}|\d+)\b[\s,./\-]*){{2,8}})",
                          re.IGNORECASE)


# A date read as numbers ("fourteen eleven oh seven"), where dates are being talked about (`_DATE_TALK`).
_NUMBERED_DATE = re.compile(rf"\b(?:{_YEAR_WORDS}\s+(?:oh\s+)?(?:{_MONTH_NUMBER})\s+(?:{_DAY_NUMBER})"  # year first
                            rf"|(?:{_DAY_NUMBER})\s+(?:{_MONTH_NUMBER})\s+(?:(?:oh|zero)\s+(?:{_SMALL})|"
                            rf"two\s+thousand(?:\s+and)?\s+(?:{_SMALL})))\b", re.IGNORECASE)
_DATE_TALK = re.compile(rf"\b(?:born|birth|d\.?\s?o\.?\s?b|birthday|date|{_MONTH})\b", re.IGNORECASE)
_AGE_TALK = re.compile(r"\W*(?:\w+\W+){0,4}?(?:turned|turns|aged?|years?\s+old|birthday)\b", re.IGNORECASE)


def spoken_dates(text: str) -> Iterator[Finding]:
    """Full dates in words or figures (a date of birth, or close enough to one), and whatever follows 'dob'."""
    for match in _SPOKEN_DATES.finditer(text):
        yield Finding(match.start(), match.end(), "DATE_OF_BIRTH", 0.9)
    for match in _NUMBERED_DATE.finditer(text):
        if _DATE_TALK.search(text, max(0, match.start() - 120), match.start()) or _AGE_TALK.match(text, match.end()):
            yield Finding(match.start(), match.end(), "DATE_OF_BIRTH", 0.8)
    for match in _AFTER_BIRTH.finditer(text):
        date = match.group("date").rstrip(" ,./-")
        date = re.sub(r"^(?:the|of|on)\s+", "", date, flags=re.IGNORECASE)
        if date:
            start = match.start("date") + match.group("date").find(date)
            yield Finding(start, start + len(date), "DATE_OF_BIRTH", 0.9)


_TLD = r"(?:com|co|uk|org|net|gov|nhs|ac|edu|io|me|ie|info|sch)"
_SPOKEN_EMAIL = re.compile(
    rf"\b[a-z0-9][\w.\-]*(?:\s+[a-z0-9][\w\-]*){{0,3}}?"  # "p mutasa seven seven at outlook dot com"
    rf"(?:\s+(?:dot|underscore|dash|hyphen)\s+[a-z0-9][\w.\-]*(?:\s+[a-z0-9][\w\-]*){{0,6}}?)"
    rf"{{0,3}}\s+(?:at|@)\s+"
    rf"[a-z0-9][\w\-]*(?:\s+[a-z0-9][\w\-]*){{0,3}}?(?:\s+dot\s+[a-z0-9][\w\-]*)*\s+dot\s+{_TLD}\b"
    rf"(?:\s+dot\s+{_TLD}\b)*",
    re.IGNORECASE,
)
_EMAIL_FILLER = re.compile(r"^(?:(?:it's|its|is|was|email|e-mail|address|me|on|at|the|her|his|their|my|your)\s+)+",
                           re.IGNORECASE)


# The part before the "at", said alone: "she's karen dot lakes with an s".
_SPOKEN_MAILBOX = re.compile(rf"\b(?P<first>[a-z]+)\s+dot\s+(?!{_TLD}\b)[a-z]+\b", re.IGNORECASE)


def spoken_emails(text: str) -> Iterator[Finding]:
    """E-mail addresses read aloud: 'kerry dot walsh at hotmail dot co dot uk', or their first half alone when it
    is a person's name ('karen dot lakes')."""
    from qualcode.anonymise.lexicon import lexicon

    for match in _SPOKEN_EMAIL.finditer(text):
        value = match.group(0)
        lead = _EMAIL_FILLER.match(value)
        start = match.start() + (lead.end() if lead else 0)
        if start < match.end():
            yield Finding(start, match.end(), "EMAIL", 0.9)
    for match in _SPOKEN_MAILBOX.finditer(text):
        first = match.group("first").casefold()
        if len(first) == 1 or (first in lexicon().first_names and not lexicon().is_common(first)):
            yield Finding(match.start(), match.end(), "EMAIL", 0.7)


# UK postcode areas: the letters an outward code starts with ("S" Sheffield, "LS" Leeds).
POSTCODE_AREAS = frozenset("""AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN
    DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M
    ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD
    TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE""".split())
_OUTWARD = re.compile(r"\b(?P<code>(?P<area>[A-Za-z]{1,2})\s?(?P<district>\d{1,2}[A-Za-z]?))\b(?!\s?\d[A-Za-z]{2}\b)")
_TENS_WORDS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_DISTRICT_WORDS = (rf"(?:(?:{_TENS_WORDS})(?:[\s\-](?:{_SMALL}))?|{_SMALL}|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                   rf"sixteen|seventeen|eighteen|nineteen|\d{{1,2}})")
# The area may be said letter by letter ("n e twenty three", "s r four"), or by the letters' names ("why oh
# thirty one").
_LETTER_NAMES = {"ay": "A", "bee": "B", "see": "C", "dee": "D", "ee": "E", "eff": "F", "gee": "G", "aitch": "H",
                 "jay": "J", "kay": "K", "el": "L", "em": "M", "en": "N", "oh": "O", "pee": "P", "ar": "R", "ess": "S",
                 "tee": "T", "vee": "V", "ex": "X", "why": "Y", "zed": "Z"}
_LETTER_NAME = "|".join(_LETTER_NAMES)
_OUTWARD_SPOKEN = re.compile(rf"(?<![\w'’])(?P<code>(?P<area>[A-Za-z]{{1,2}}|[a-z]\s[a-z]|(?:{_LETTER_NAME})\s"
                             rf"(?:{_LETTER_NAME}))\s{_DISTRICT_WORDS})\b", re.IGNORECASE)
_PLACE_BEFORE = re.compile(r"(?:\b(?:in|from|near|round|around|at|to|postcode|post\s+code|district|over|up|down|"
                           r"lives?|living|moved|off|which\s+is|that's|(?:bit|bits|parts?|lots?|side|end)\s+of)\s+"
                           r"(?:the\s+)?(?:[a-z']+\s+){0,2})$", re.IGNORECASE)
_AFTER_STREET = re.compile(r"\b(?:road|street|lane|avenue|close|drive|crescent|grove|terrace|way|estate|oval|"
                           r"gardens|court|place|row|walk|hill|park|green|vale)\s+$", re.IGNORECASE)
_SPOKEN_POSTCODE = re.compile(rf"(?<![\w'’])[a-z]{{1,2}}\s(?:{_DISTRICT_WORDS}|\d{{1,2}})(?:\s(?:{_SMALL}|\d))?"
                              rf"\s(?:{_SMALL}|oh|zero|\d)\s(?P<unit>[a-z]\s?[a-z])\b", re.IGNORECASE)
# Postcodes being talked about a few words before: "is the postcode range all l thirty two".
_POSTCODE_TALK = re.compile(r"\bpost\s?codes?\b", re.IGNORECASE)
# A second district said in the same breath as one already found: "in le five and le four".
_ALSO = re.compile(r"\s*(?:,|and|or|&|to|/)\s*(?:then\s+)?$", re.IGNORECASE)
_PLACE_AFTER = re.compile(r"^\s+(?:area|postcode|post\s+code|district|way|side|end|estate|patch|bit)\b",
                          re.IGNORECASE)
# Section numbers of the Children Act and the like, said the same way: "an s47", "s17 assessment".
_STATUTORY = re.compile(r"^[sS]\s?(?:17|20|31|38|44|46|47|7|11)$")
_STATUTORY_AFTER = re.compile(r"^\s+(?:enquir|investigat|assessment|strateg|threshold|plan|referral|order|"
                              r"application|meeting|duty|medical|visit|case|and|or)", re.IGNORECASE)


def partial_postcodes(text: str) -> Iterator[Finding]:
    """A postcode district on its own ("the s5 area", "up in LS9", "s five"), where the words around it say place,
    and whole postcodes said aloud ("s nine four e x")."""
    from qualcode.anonymise.lexicon import lexicon

    for match in _SPOKEN_POSTCODE.finditer(text):
        unit = match.group("unit").casefold()  # "s twenty two at the minute": the letters said together are a word
        if " " not in unit and (unit in lexicon().stop_words or unit in lexicon().dictionary):
            continue
        if match.group(0).split()[0].upper() in POSTCODE_AREAS:
            yield Finding(match.start(), match.end(), "POSTCODE", 0.8)
    found_end = -1
    for pattern in (_OUTWARD, _OUTWARD_SPOKEN):
        for match in pattern.finditer(text):
            code, area = match.group("code"), match.group("area").upper()
            named = [_LETTER_NAMES.get(w) for w in area.casefold().split()]
            if len(named) == 2 and all(named):  # "why oh": said by the letters' names, only where it says place
                area, spelt = "".join(n for n in named if n), False
            else:
                # two letters said one by one, then a number, is said as nothing but a postcode ("a", "i" are words)
                spelt = " " in area and area[0] not in "AI"
                area = area.replace(" ", "")
            if area not in POSTCODE_AREAS:
                continue
            before, after = text[max(0, match.start() - 30):match.start()], text[match.end():match.end() + 30]
            said_as_place = (bool(_PLACE_BEFORE.search(before)) or bool(_PLACE_AFTER.match(after))
                             or bool(_POSTCODE_TALK.search(text, max(0, match.start() - 80), match.start()))
                             or bool(_AFTER_STREET.search(before))
                             or (found_end >= 0 and bool(_ALSO.fullmatch(text, found_end, match.start()))))
            typed = pattern is _OUTWARD and code.isupper() and len(area) == 2 and area not in {"SW", "LA"}
            if (typed or spelt) and not re.search(r"\bthe\s+$", before, re.IGNORECASE):
                said_as_place = True  # "LU4", "LE2" typed in capitals: a postcode district wherever it stands
            if not said_as_place or (_STATUTORY.match(code) and not _PLACE_AFTER.match(after)):
                continue
            if (_STATUTORY.match(code) and _STATUTORY_AFTER.match(after)) or re.match(r"^\s*(?:of|section)\b", after,
                                                                                      re.IGNORECASE):
                continue
            if pattern is _OUTWARD and code.isupper() is False and code.islower() is False:
                continue  # "Ls9" is neither typed nor transcribed: most likely something else
            found_end = match.end()
            yield Finding(match.start(), match.end(), "POSTCODE", 0.7)


_STREET_TYPE = (r"(?:road|street|lane|avenue|close|drive|crescent|grove|terrace|way|gardens|court|place|row|walk|"
                r"parade|mews|square|rise|view|hill|cross|green|park|vale|fields|bank|brow|croft|fold|oval)")
_SPOKEN_ADDRESS = re.compile(rf"\b(?:(?:flat|apartment|unit|plot)\s+(?:(?:{_NUMBER_WORD}|\d+)[\s\-]+)+|number\s+)?"
                             rf"(?:(?:{_NUMBER_WORD})[\s\-]+(?:and\s+)?){{1,5}}(?:the\s+)?[a-z'’]+(?:\s+[a-z'’]+){{0,3}}?\s+"
                             rf"{_STREET_TYPE}\b", re.IGNORECASE)


def spoken_addresses(text: str) -> Iterator[Finding]:
    """A house number said in words before a street ("forty one margetson crescent")."""
    for match in _SPOKEN_ADDRESS.finditer(text):
        words = match.group(0).split()
        named = [w for w in words if not _TOKEN.fullmatch(w)
                 and w.casefold() not in {"flat", "apartment", "unit", "number", "plot", "the", "and"}][:-1]
        if (digits_of(" ".join(words[:2])) and not re.match(r"(?i)(?:one|a)\s+(?:way|road|street)\b", match.group(0))
                and not any(w.casefold() in _STOP for w in named)):
            yield Finding(match.start(), match.end(), "ADDRESS", 0.8)


_STOP = frozenset("""which is was for of in on at to and or but the a an it its that this we they he she you i
    weeks months days years hours minutes times""".split())
_PLATE = re.compile(r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z])\b")
_PLATE_LOWER = re.compile(r"\b[a-z]{2}\d{2}\s[a-z]{3}\b")
# A plate read aloud in the current format: two letters, the age in two digits, three letters ("b k six eight x r
# w", "gn seventy one hkl", "fd sixty eight u f zed"). Letters run together are checked not to be words.
_LETTER = r"(?:[a-z]|zed|zee)"
_PLATE_AGE = (rf"(?:{_DISTRICT_WORDS}|(?:oh|zero|{_SMALL})[\s\-](?:oh|zero|{_SMALL})|\d\s?\d)")
_PLATE_SPOKEN = re.compile(rf"\b(?P<area>[a-z]{{2}}|{_LETTER}\s{_LETTER})\s(?P<age>{_PLATE_AGE})\s"
                           rf"(?P<tail>[a-z]{{3}}|{_LETTER}\s{_LETTER}\s{_LETTER})\b", re.IGNORECASE)
# The NATO alphabet, as police and control rooms read plates and references aloud.
_NATO = ("alpha|alfa|bravo|charlie|delta|echo|foxtrot|golf|hotel|india|juliet|juliett|kilo|lima|mike|november|"
         "oscar|papa|quebec|romeo|sierra|tango|uniform|victor|whiskey|whisky|x-ray|xray|yankee|zulu")
_NATO_RUN = re.compile(rf"\b(?:(?:{_NATO}|{_NUMBER_WORD}|\d)\b[\s,\-]+){{4,}}(?:{_NATO}|{_NUMBER_WORD}|\d)\b",
                       re.IGNORECASE)
_SPELT_PLATE = re.compile(r"\b(?:reg(?:istration)?|number\s?plate|plate)(?:\s+(?:number|no|plate))?"
                          r"(?:\s+(?:is|was|ending|ends|ending\s+in|starting|starts|beginning|begins)(?:\s+(?:in|with))?)?"
                          r"(?:\s+like)?"
                          r"[\s:,]+(?P<plate>(?:(?:[a-z]{1,3}\d{1,3}[a-z]{0,3}|[a-z]{1,2}|\d{1,2}|" + _NUMBER_WORD
                          + r")\b(?:\s+|$|(?=[.,;\-]))){1,8})",
                          re.IGNORECASE)
# The first half of a plate, said or written, with "something" for the rest: "a blue corsa wu sixty six something",
# "a white transit vn17 something".
_PLATE_START = re.compile(rf"\b(?P<plate>(?:[a-z]{{2}}|[a-z]\s[a-z])\s?(?P<age>\d\d|{_PLATE_AGE}))"
                          rf"(?=[\s\-]+something\b)",
                          re.IGNORECASE)
# A plate's age said on its own, as people tell a car apart: "a black audi with a seventy one plate", "a 19 plate".
_PLATE_YEAR = re.compile(rf"\b(?:a|an|the|his|her|their)\s+(?P<age>{_PLATE_AGE})[\s\-]plate\b", re.IGNORECASE)


def vehicle_registrations(text: str) -> Iterator[Finding]:
    """Number plates written (YX19 KTM, P123 ABC) or spelt out after 'reg' ('reg ending k t m')."""
    for pattern in (_PLATE, _PLATE_LOWER):
        for match in pattern.finditer(text):
            yield Finding(match.start(), match.end(), "VEHICLE", 0.8)
    for match in _PLATE_SPOKEN.finditer(text):
        if _is_plate_said(match):
            yield Finding(match.start(), match.end(), "VEHICLE", 0.8)
    for match in _NATO_RUN.finditer(text):  # "November Lima One Seven Victor Foxtrot Alpha"
        words = re.findall(r"[\w\-]+", match.group(0))
        if sum(bool(re.fullmatch(_NATO, w, re.IGNORECASE)) for w in words) >= 3 and digits_of(match.group(0)):
            yield Finding(match.start(), match.end(), "VEHICLE", 0.8)
    for match in _SPELT_PLATE.finditer(text):
        plate = match.group("plate").rstrip()
        letters = plate.split()
        # letters said one by one ("k t m"), or anything with a number in it ("lx nineteen", "NK7"); not "is on"
        if (len(letters) >= 2 and all(len(w) == 1 for w in letters)) or re.search(rf"\d|\b(?:{_NUMBER_WORD})\b", plate,
                                                                                re.IGNORECASE):
            yield Finding(match.start("plate"), match.start("plate") + len(plate), "VEHICLE", 0.8)
    for match in _PLATE_START.finditer(text):
        if _is_plate_age(match.group("age")) and match.group("plate")[:2].casefold() not in {"is", "it", "at", "in",
                                                                                           "on", "of", "to", "so",
                                                                                           "a ", "i "}:
            yield Finding(match.start("plate"), match.end("plate"), "VEHICLE", 0.7)
    for match in _PLATE_YEAR.finditer(text):
        if _is_plate_age(match.group("age")):
            yield Finding(match.start("age"), match.end("age"), "VEHICLE", 0.7)


def _is_plate_age(said: str) -> bool:
    """A plate's age code: 02-29 or 51-79 ("nineteen", "seventy one", "6 8")."""
    age = digits_of(said)
    return len(age) == 2 and (1 <= int(age) <= 29 or 51 <= int(age) <= 79)


def _is_plate_said(match: re.Match[str]) -> bool:
    """A spoken plate's age is a real one (02-29, 51-79, "nineteen", "seventy one"), and letters said together are
    not a word ("at twenty one and" is speech)."""
    from qualcode.anonymise.lexicon import DISCOURSE, lexicon

    if not _is_plate_age(match.group("age")):
        return False
    joined = [g for g in (match.group("area"), match.group("tail")) if " " not in g]
    words = lexicon().dictionary | lexicon().stop_words | DISCOURSE
    return not any(g.casefold() in words for g in joined)


# Whatever is spelt out after a cue that says what it is: "postcode is s five seven a u", "crime number
# one four slash two two nine".
_SPELT = (r"(?P<value>(?:(?:[a-z]{{1,2}}\d[\da-z]*|[a-z]{{1,2}}|\d[\da-z]*|" + _NUMBER_WORD
          + r"|slash|dash|stroke)\b(?:[\s/\-]+|$|(?=[.,;]))){{{n}}})")
_AFTER_CUE = (
    ("POSTCODE", re.compile(r"\bpost\s?code(?:(?:\s+[a-z']+){0,4}?\s+(?:is|was|of|it's))?['’]?s?[\s:,]+"
                            + _SPELT.format(n="2,8"), re.IGNORECASE)),
    ("CASE_REF", re.compile(rf"\blog\s+(?:number\s+|no\.?\s+)?(?P<value>\d{{1,5}}\s+of\s+(?:the\s+)?"
                            rf"(?:{_ORDINAL}(?:\s+(?:of\s+)?{_MONTH})?|\d{{1,2}}[/.\-]\d{{1,2}}(?:[/.\-]\d{{2,4}})?))\b",
                            re.IGNORECASE)),  # a police log: "log 0347 of the twelfth", "log 512 of 03/11"
    ("CASE_REF", re.compile(r"\b(?:(?:(?:crime|incident|case|log|file|referral|occurrence|job|marac|mash|lcs|mosaic|"
                            r"police|system|child|record)\s+)?ref(?:erence)?|(?:crime|incident|case|log|file|referral|"
                            r"occurrence|job|marac|mash|lcs|mosaic|police|system|record)\s+(?:number|no|num|id))\.?"
                            r"(?:(?:\s+[a-z']+){0,5}?\s+(?:is|was|like))?[\s:,#]+"
                            + _SPELT.format(n="1,12"),
                            re.IGNORECASE)),
)


# A National Insurance number read out: two letters, six digits, a letter ("j t five eight two one nine four b").
_SPOKEN_NINO = re.compile(rf"\b[a-z]\s?[a-z]\s+(?:(?:{_NUMBER_WORD}|\d+)[\s,\-]+){{3,8}}[a-d]\b", re.IGNORECASE)
# Letters spelt one by one ("w i s n i e w s k i"): a name being spelt for the note-taker.
_SPELT_LETTERS = re.compile(r"\b(?:[a-z][\s\-]+){3,}[a-z]\b")
# A handle read aloud: "lil underscore j underscore ls nine", "lil t dot s8", "r o c c o underscore b w v".
_SPOKEN_HANDLE = re.compile(rf"(?<!['’])\b(?:(?:(?:[a-z]|double|triple)\s+){{2,}}[a-z]|[a-z0-9]+(?:\s+[a-z0-9]+)?)"
                            rf"(?:\s+(?:underscore|dot)\s+[a-z0-9]+(?:\s+(?:{_NUMBER_WORD}|[a-z]|\d+)\b)*)+",
                            re.IGNORECASE)
# A reference read aloud in letters and numbers joined by "dash" or "slash": "y j slash w l v slash oh four four two".
_SPOKEN_REFERENCE = re.compile(rf"(?<!['’])\b(?:(?:[a-z]{{1,3}}|{_NUMBER_WORD}|\d+)\s+)+?"
                               rf"(?:(?:dash|slash|stroke|hyphen)\s+"
                               rf"(?:(?:[a-z]{{1,3}}|{_NUMBER_WORD}|\d+)\b(?:\s+|$))+){{1,}}", re.IGNORECASE)


_HANDLE_CUE = re.compile(r"\b(?:tiktok|snap(?:chat)?|insta(?:gram)?|twitter|facebook|fb|account|handle|username|"
                         r"gamertag)(?:['’]s)?(?:\s+(?:name|account|handle))?\s+(?:is|was|as)?\s*$", re.IGNORECASE)


def _is_speech(word: str, lexicon: Lexicon) -> bool:
    """A word at either end of a spoken reference that is speech, not part of it ("so", "as", "it's", "on our")."""
    folded = word.casefold()
    if _TOKEN.fullmatch(folded) or folded in {"dash", "slash", "stroke", "hyphen"}:
        return False
    if len(folded) == 1:
        return folded in {"a", "i"}  # a letter of the reference, unless it is a word
    return len(folded) > 3 or folded in lexicon.stop_words or folded in lexicon.dictionary or "'" in folded


def spelt_out(text: str) -> Iterator[Finding]:
    """National Insurance numbers, names and handles read out letter by letter or symbol by symbol."""
    from qualcode.anonymise.lexicon import lexicon

    for match in _SPOKEN_NINO.finditer(text):
        if len(digits_of(match.group(0)[3:])) == 6:
            yield Finding(match.start(), match.end(), "NI_NUMBER", 0.8)
    for match in _SPELT_LETTERS.finditer(text):
        letters = match.group(0).split()
        spelt = "".join(letters).casefold()
        if (len(letters) >= 4 and not {"a", "i"} >= set(letters)
                and not any(word in spelt for word in ("dob", "nhs", "ni", "gp", "hv"))):
            yield Finding(match.start(), match.end(), "PERSON", 0.8)
    for match in _SPOKEN_REFERENCE.finditer(text):
        words = list(re.finditer(r"\S+", match.group(0)))
        while words and _is_speech(words[0].group(0), lexicon()):
            words = words[1:]  # "so it's yj dash ...": the words around a reference are not part of it
        while words and _is_speech(words[-1].group(0), lexicon()):
            words = words[:-1]
        if not words:
            continue
        value = match.group(0)[words[0].start():words[-1].end()]
        separators = len(re.findall(r"\b(?:dash|slash|stroke|hyphen)\b", value, re.IGNORECASE))
        has_letters = any(not _TOKEN.fullmatch(w) and not _is_speech(w, lexicon()) and w.casefold() not in {
            "dash", "slash", "stroke", "hyphen"} for w in value.split())
        digits = len(digits_of(value))
        # letters and numbers both, or numbers in three groups: "yj dash four four one dash h",
        # "fifty two slash nine one eight four four slash twenty six"; not "one to one slash two to one"
        if digits >= 3 and ((has_letters and (separators >= 2 or digits >= 4)) or (separators >= 2 and digits >= 6)):
            yield Finding(match.start() + words[0].start(), match.start() + words[-1].end(), "CASE_REF", 0.8)
    for match in _SPOKEN_HANDLE.finditer(text):
        cue = _HANDLE_CUE.search(text, max(0, match.start() - 40), match.start())
        said = match.group(0).casefold()
        if (" underscore " in said or re.search(r"\d", said) or cue
                or (" dot " in said and re.search(rf"\b(?:{_NUMBER_WORD})$", said))):  # "kemz dot b sixty six"
            start = match.start() + (len(match.group(0).split()[0]) + 1
                                     if match.group(0).split()[0].casefold() in {"is", "as", "was", "it's"} else 0)
            yield Finding(start, match.end(), "HANDLE", 0.8)


def spelt_after_cue(text: str) -> Iterator[Finding]:
    for kind, pattern in _AFTER_CUE:
        for match in pattern.finditer(text):
            value = match.group("value").rstrip(" /-")
            if sum(ch.isdigit() for ch in value) + len(re.findall(_NUMBER_WORD, value, re.IGNORECASE)) >= 1:
                yield Finding(match.start("value"), match.start("value") + len(value), kind, 0.8)


_AGE_IN_MONTHS = re.compile(rf"\b(?:she|he|baby|who|they|[a-z]+)['’]?(?:s|\s+is|\s+was|\s+were|\s+d\s+be|\s+would\s+be)"
                            rf"\s+(?:(?:only|just|like|about|nearly|almost|around)\s+){{0,2}}"
                            rf"(?P<age>(?:{_NUMBER_WORD}|\d{{1,2}})(?:[\s\-](?:{_NUMBER_WORD}))?\s+(?:months?|weeks?|days?)"
                            rf"(?:\s+old)?)\b(?!\s+(?:ago|later|before|after|on|in|of|into|pregnant|late|behind|"
                            rf"waiting|wait|off|away|left|long|at|to|for))", re.IGNORECASE)
_SUBJECTS = frozenset({"she", "he", "baby", "who", "they", "son", "daughter", "brother", "sister", "child", "boy",
                       "girl", "twins", "youngest", "eldest", "little", "one"})


def ages_in_months(text: str) -> Iterator[Finding]:
    """A baby's age ("she's only like four months", "the baby ema was six weeks"), not a wait ("it was two weeks
    before anyone rang")."""
    from qualcode.anonymise.lexicon import lexicon

    for match in _AGE_IN_MONTHS.finditer(text):
        subject = re.split(r"['’\s]", match.group(0), maxsplit=1)[0].casefold()
        before = text[max(0, match.start() - 12):match.start()].casefold().split()
        if (subject in _SUBJECTS or (lexicon().is_name(subject) and not lexicon().is_common(subject))
                or (before and before[-1] in _SUBJECTS)):  # "the baby yitzy was five months"
            yield Finding(match.start("age"), match.end("age"), "AGE", 0.7)


SPOKEN_RECOGNISERS = (ages_in_months, spoken_addresses, spoken_numbers, spoken_dates, spoken_emails, partial_postcodes,
                      vehicle_registrations,
                      spelt_after_cue, spelt_out)


def spoken_identifiers(text: str) -> list[Finding]:
    return [finding for recognise in SPOKEN_RECOGNISERS for finding in recognise(text)]
