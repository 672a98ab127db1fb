"""Schools, hospitals, places of worship, clubs, workplaces and streets: found by their head noun ("primary",
"masjid", "club", "road") and the name before it, or by "works at" and the name after it.

The same word knowledge as for people decides whether the words before a head noun are a name: "beckfield primary"
and "the Jamia Masjid" are, "our primary" and "the local mosque" are not. In a transcript typed without capitals
everyday words may be the name itself when a preposition comes first ("outside the jubilee youth club").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from qualcode.anonymise.entities import Finding
from qualcode.anonymise.lexicon import DISCOURSE, Lexicon, fold

# A document's own pseudonyms ("Company 1", "School 1", "City X") were put there by whoever anonymised it.
ALREADY_PSEUDONYMISED = re.compile(r"^(?:\d{1,3}|[A-Z])\.?$")
_PSEUDONYM_AFTER = re.compile(r"\s+(?:\d{1,3}|[A-Z])\b")


@dataclass(frozen=True)
class Institutions:
    """Finds named institutions and streets in one text.

    Args:
        lexicon: word knowledge (names, everyday words, towns).
        allow: words and phrases of the field (case-folded) that are never identifiers.
    """

    lexicon: Lexicon
    allow: frozenset[str]

    def find(self, text: str, cased: bool) -> Iterator[Finding]:
        """"beckfield primary", "the Jamia Masjid", "parson cross", "works nights at the asda"."""
        for kind, pattern in _HEADED:
            for match in pattern.finditer(text):
                weak = bool(_WEAK_HEAD.match(match.group("head")))
                if weak and cased and not match.group("head")[0].isupper():
                    continue
                area = bool(_AREA_HEAD.fullmatch(match.group("head")))
                start = self._name_start(text, match.start("head"), cased, everyday_names=not (weak or area),
                                         countries=area)
                if start is not None and not _PSEUDONYM_AFTER.match(text, match.end("head")):
                    yield Finding(start, match.end("head"), kind, 0.85)
        for match in _SAINT.finditer(text):  # "st bede's", "St Anne's": a school or a church, named either way
            yield Finding(match.start(), match.end(), "SCHOOL", 0.85)
        for match in _NAME_AFTER_HEAD.finditer(text):  # "hmp oakwood", "masjid al-furqan", "Masjid-e-Tauheedul"
            name = match.group("name")
            last = fold(name.split("-")[-1])
            if last not in self.lexicon.stop_words and last not in DISCOURSE and fold(name) not in self.allow:
                yield Finding(match.start(), match.end(), "ORG", 0.85)
        for match in _COLLEGE_OF.finditer(text):  # "College of West Anglia", "the school for girls" is no name
            words = match.group("name").split()
            if any(self._name_ish(w, cased) for w in words) and not _PSEUDONYM_AFTER.match(text, match.end()):
                yield Finding(match.start(), match.end(), "SCHOOL", 0.85)
        for match in _CHURCH_OF.finditer(text):  # "the church of pentecost", "Church of God"
            if fold(match.group("name").split()[0]) not in _NATIONAL_CHURCHES:
                yield Finding(match.start(), match.end(), "ORG", 0.85)
        for match in _TREATED_AT.finditer(text):  # "admitted to the LRI", "an attendance at heartlands"
            name = match.group("name")
            words = name.split()
            first = fold(words[0])
            named = self._name_ish(words[0], cased) or (  # "heartlands": a plural no dictionary holds is a name here
                not self.lexicon.is_common(first) and first not in self.allow and first not in DISCOURSE) or (
                self._hospital_initials(words[0], cased))  # "admitted to the L&D"
            if _PSEUDONYM_AFTER.match(text, match.end("name")):
                continue
            if first == "general" or named:
                length = len(words[0]) if len(words) == 1 or not self._name_ish(words[1], cased) else len(name)
                yield Finding(match.start("name"), match.start("name") + length, "ORG", 0.85)
            elif self._local_hospital_name(words, text, match):  # "seen at alder hey with a wrist injury"
                second = len(words) > 1 and fold(words[1]) not in self.lexicon.stop_words and fold(
                    words[1]) not in _NOT_A_SITE and not _HEALTH.fullmatch(words[1])
                length = len(name) if second else len(words[0])
                yield Finding(match.start("name"), match.start("name") + length, "ORG", 0.75)
        for match in _AT_THE_INITIALS.finditer(text):  # "the named nurse at the QE", "seen at the BCH with burns"
            sentence = text[max(0, match.start() - 100):match.end() + 100]
            if self._hospital_initials(match.group("name"), cased) and _HEALTH.search(sentence):
                yield Finding(match.start("name"), match.end("name"), "ORG", 0.8)
        for match in _WORKPLACE.finditer(text):
            end = self._name_end(text, match.end(), cased)
            if end is not None and not _PSEUDONYM_AFTER.match(text, end):
                yield Finding(match.end(), end, "ORG", 0.85)

    def _local_hospital_name(self, words: list[str], text: str, match: re.Match[str]) -> bool:
        """Everyday words where someone was treated, in a sentence about an injury or an illness, are the hospital's
        local name ("treated at the manor", "turned up at mayday with a cut hand"), unless they name a kind of place
        ("seen at home", "admitted to the ward")."""
        first = fold(words[0])
        if (first in self.lexicon.stop_words or first in _NOT_A_SITE or first in self.allow or first in DISCOURSE
                or _HEALTH.fullmatch(words[0]) or not first.isalpha()):
            return False
        around = text[max(0, match.start() - 80):match.start()] + " " + text[match.end("name"):match.end("name") + 60]
        return bool(_INJURY.search(around))

    def _hospital_initials(self, word: str, cased: bool) -> bool:
        """Initials that may be a hospital's ("QE", "RVI", "L&D"), in a document that writes capitals, where they
        are not the field's own ("A&E", "MASH", "PICU")."""
        return cased and bool(_INITIALS.fullmatch(word)) and fold(word) not in self.allow

    def _name_ish(self, word: str, cased: bool, initial: bool = False) -> bool:
        """Could this word be (part of) a name: capitalised inside a sentence, or not an everyday word."""
        folded = fold(re.sub(r"['’]s$|(?<=s)['’]$", "", word))  # "mehmood's", "leavers'"
        if folded in self.allow or folded in DISCOURSE or folded in _NOT_NAMES or not folded[:1].isalpha():
            return False
        if cased and word[:1].isupper() and not initial and not self.lexicon.is_acronym(word):
            return True
        if (self.lexicon.is_foreign_word(folded) or self.lexicon.is_plural_word(folded)
                or self.lexicon.is_nationality(folded)):
            return False
        return not self.lexicon.is_common(folded) or folded in self.lexicon.towns

    def _name_start(self, text: str, head: int, cased: bool, everyday_names: bool = True,
                    countries: bool = False) -> int | None:
        """Where the name before a head noun starts: up to four words, from the first name-like one ("Holy Trinity
        CE Primary", "roundhay park academy"). In a document without capitals, everyday words may sit inside the
        name, and after a preposition they may be the whole name ("outside the jubilee youth club")."""
        window = max(0, head - 60)
        words = list(re.finditer(r"[\w'’\-]+\.?", text[window:head]))[-4:]
        start: int | None = None
        following = head  # where the word after the one looked at begins
        everyday: list[int] = []  # everyday words that may be the name itself, nearest first
        for match in reversed(words):
            begin, end = window + match.start(), window + match.end()
            if text[end:following].strip() or "\n" in text[end:following]:
                break
            following = begin
            word = match.group(0).rstrip(".")
            if fold(word) in {"school", "pru"} and everyday:  # "his school soar valley college": where it begins
                break
            initial = not text[:begin].strip() or text[:begin].rstrip()[-1] in ".!?:\n"
            if self._name_ish(word, cased, initial) or (countries and fold(word) in self.lexicon.countries):
                start = begin  # a country names a police force ("North Wales Police") though nobody else
            elif fold(word) in {"st", "saint"} and start is not None:
                return begin
            elif fold(word) in _COMPASS and start is not None:  # "south wales police", "North Tyneside council"
                start = begin
                continue
            elif (fold(word) in {"city", "county", "borough", "university"} and start is not None
                  and fold(text[end:start]).strip() == "of"):
                start = begin  # "the city of leicester college"
                continue
            elif (fold(word) in _CONNECTORS | _GENERIC_STREETS or (cased and word[:1].isupper()
                                                                    and not initial)):
                continue  # "CE", "community" or a capitalised field word may sit inside a longer name
            elif not cased and self._could_name(word):
                everyday.append(begin)
            else:
                break
        if everyday and not cased and everyday_names:
            earlier = self._after_preposition(text, everyday)  # "at the guru nanak gurdwara", "at don valley academy"
            if earlier is not None and (start is None or earlier < start):
                start = earlier
        if start is None and _PLACE_HEAD.match(text, head):
            start = self._street_start(text, head)
        return start

    def _street_start(self, text: str, head: int) -> int | None:
        """"on bridge street", "up at parson cross": an everyday word before a street or place type names it
        when a preposition comes first."""
        match = _STREET_NAME.search(text, max(0, head - 40), head)
        if match is None:
            return None
        word = fold(match.group("word"))
        if word in _NOT_NAMES | _GENERIC_STREETS or word in self.lexicon.stop_words or word in self.allow:
            return None
        return match.start("word")

    def _could_name(self, word: str) -> bool:
        """An everyday word that can be part of a name in a lower-case transcript ("park", "valley", "youth")."""
        folded = fold(word)
        return (folded.replace("'", "").isalpha() and folded not in self.lexicon.stop_words and folded not in _NOT_NAMES
                and folded not in _GENERIC_STREETS and folded not in DISCOURSE)

    def _after_preposition(self, text: str, everyday: list[int]) -> int | None:
        """The everyday words before a head noun are a name when a preposition (and "the") comes just before them
        and one of them is not the field's own vocabulary ("at acres hill primary", not "at the youth club")."""
        first = everyday[-1]
        before = text[max(0, first - 20):first]
        if not re.search(r"\b(?:at|to|from|outside|near|in|into|by|round|behind|opposite|past|on|up|down|off|over|"
                         r"along|onto|with|school|pru)\s+(?:the\s+)?$", before):  # "his school soar valley college"
            return None
        named = [*text[first:everyday[0]].split(), text[everyday[0]:].split()[0]]
        if all(fold(w) in self.allow for w in named):
            return None
        if all(self.lexicon.is_nationality(w) and fold(w) not in _COMPASS for w in named):
            return None  # "the eritrean church", "the polish club": no one church or club
        return first

    def _name_end(self, text: str, after: int, cased: bool) -> int | None:
        """Where the name after "works at" ends: up to three name-like words ("the asda", "Kwik Fit")."""
        end: int | None = None
        position = after
        for match in list(re.finditer(r"[\w'’\-&]+", text[after:after + 60]))[:3]:
            if text[position:after + match.start()].strip(" ") or "\n" in text[position:after + match.start()]:
                break
            word = match.group(0)
            if not self._name_ish(word, cased) or ALREADY_PSEUDONYMISED.match(word):
                break
            end = position = after + match.end()
        return end


_STREET_NAME = re.compile(r"\b(?:on|in|at|off|near|down|up|along|from|to|past|by)\s+(?P<word>[a-z][a-z'’]+)\s+$",
                          re.IGNORECASE)
_GENERIC_STREETS = frozenset({"high", "main", "back", "side", "one", "two", "same", "next", "busy", "quiet", "wrong",
                              "right", "left", "long", "ring", "slip", "dirt", "private", "public", "shopping",
                              "car", "skate", "retail", "business", "industrial", "theme", "national", "country",
                              "town", "city", "village", "play", "water", "football", "open", "bottom", "top",
                              "catholic", "church", "special", "grammar", "boys", "girls", "community",
                              "independent", "state", "faith", "secondary", "infant", "junior", "nearest",
                              "kids", "children's", "childrens", "family", "sports", "leisure", "medical", "dental",
                              "general", "mental", "health", "youth", "drop-in", "day", "night", "breakfast",
                              "homework", "after-school", "holiday", "summer", "gp", "doctors", "doctor's"})
_COMPASS = frozenset({"north", "south", "east", "west", "north-east", "north-west", "south-east", "south-west",
                      "northern", "southern", "eastern", "western", "central", "mid", "greater", "upper", "lower"})
_CONNECTORS = frozenset({"ce", "rc", "c", "of", "e", "cofe", "and", "&"})
_NOT_NAMES = frozenset({"the", "a", "an", "our", "their", "his", "her", "my", "your", "this", "that", "local",
                        "same", "other", "new", "old", "big", "main", "nearest", "nearby"})
_SCHOOL_HEADS = (r"pupil\s+referral\s+unit|juniors|infants|high|primary(?:\s+school)?|secondary(?:\s+school)?|"
                 r"infants?(?:\s+school)?|junior(?:\s+school)?|"
                 r"high\s+school|grammar(?:\s+school)?|academy|nursery|pre-?school|college|sixth\s+form|"
                 r"school|pru|children'?s\s+centre")
_ORG_HEADS = (r"(?:church|town|village|community|parish|scout|sports)\s+hall|parish\s+centre|"
              r"police\s+station|police|constabulary|council|(?:hand\s+)?car\s+wash|fostering(?:\s+agency)?|"
              r"care\s+group|service|logistics|freight|haulage|recruitment|distribution|support|sailing|gym|"
              r"fitness|mosque|masjid|gurdwara|church|chapel|cathedral|temple|mandir|synagogue|kingdom\s+hall|"
              r"(?:general\s+)?hospital|infirmary|surgery|medical\s+(?:centre|practice)|health\s+centre|clinic|"
              r"children'?s\s+home|care\s+home|youth\s+club|football\s+club|boxing\s+club|club|fc|taxis|cabs|"
              r"ltd|limited|plc|hotel|takeaway|warehouse|factory|refuge|hostel|foyer|leisure\s+centre|centre|"
              r"center|trust|foundation|ward|homes|housing(?:\s+association)?|association|support\s+group|"
              r"families|aid|lodge|house|rovers|united|athletic|harriers|wanderers|library|forum|alliance|"
              r"garage|salon|barbers?|cafe|restaurant|pub|bakery|supermarket|cars|foods|produce|grill|nails|"
              r"market|speedway|abc|project|youth\s+hub|hub|"
              r"general(?!\s+(?:public|election|manager|practi\w*|secretary|purpose|idea|sense|rule|consensus|"
              r"population|knowledge|feeling|terms|approach|view|point|principles?|dut(?:y|ies)|anaesthetic|"
              r"questions?|concerns?|advice|level|awareness|health|needs?)\b)")  # "the northern general"
# A police force or a council named by its area ("northumbria police", "Cardiff council"): the words before the head
# must be a name, never everyday words alone ("the city council", "local police").
_AREA_HEAD = re.compile(r"(?:police|constabulary|council)\b", re.IGNORECASE)
# Heads that are everyday words too ("a trust", "the house", "families"): they name something only with a name
# before them, and in a document with capitals only when capitalised themselves.
_WEAK_HEAD = re.compile(r"(?:service|logistics|freight|haulage|recruitment|distribution|support|sailing|gym|fitness|"
                        r"families|aid|lodge|house|united|athletic|forum|alliance|trust|foundation|homes|ward|"
                        r"association|housing|centre|center|hotel|pub|cafe|restaurant|garage|salon|bakery|"
                        r"supermarket|warehouse|factory|takeaway|cars|foods|produce|grill|nails|market|project|"
                        r"hub|abc)\b", re.IGNORECASE)
_PLACE_HEADS = (r"estate|road|rd|street|st|lane|avenue|close|drive|crescent|grove|terrace|gardens|court|"
                r"place|row|parade|walk|flats|towers?|heights|fields|bottom|moor|common|village|cross|green|vale|"
                r"park|hill|brow|bank|mews|square|wharf")
_PLACE_HEAD = re.compile(rf"(?:{_PLACE_HEADS})\b", re.IGNORECASE)
_HEADED = (
    ("SCHOOL", re.compile(rf"\b(?P<head>(?:{_SCHOOL_HEADS}))\b", re.IGNORECASE)),
    ("ORG", re.compile(rf"\b(?P<head>(?:{_ORG_HEADS}))\b", re.IGNORECASE)),
    ("PLACE", re.compile(rf"\b(?P<head>(?:{_PLACE_HEADS}))\b", re.IGNORECASE)),
)
_CHURCH_OF = re.compile(r"\b(?:church|chapel|cathedral|temple|tabernacle|assembly)\s+of\s+(?P<name>(?:the\s+)?"
                        r"[a-z'’]+(?:\s+(?!(?:on|in|at|and|or|but|for|with|to|who|which|where|that)\b)[a-z'’]+){0,2})",
                        re.IGNORECASE)
# Heads that come first: a prison, a young offender institution, a mosque named in Arabic or Urdu.
_NAME_AFTER_HEAD = re.compile(r"\b(?:hmp(?:\s*(?:&|and)\s*yoi)?|hmyoi|yoi|masjid|jamia|jame|madrassa|madrasah)"
                              r"(?:[\s\-](?:e|al|ul|el|an|as|ar))?[\s\-](?P<name>[a-z][\w'’]*(?:-[a-z][\w'’]*)?)",
                              re.IGNORECASE)
_COLLEGE_OF = re.compile(r"\b(?:college|university|academy|school)\s+of\s+(?P<name>(?:the\s+)?(?:(?:north|south|east|"
                         r"west|mid|central)\s+)?[a-z'’]+(?:\s+(?:and\s+)?(?!(?:on|in|at|and|or|but|for|with|to|who|which|"
                         r"where|that|is|was)\b)[a-z'’]+)?)", re.IGNORECASE)
_NATIONAL_CHURCHES = frozenset({"england", "scotland", "wales", "ireland", "rome", "the", "christ", "jesus", "our"})
_SAINT = re.compile(r"\b(?:st\.?|saint)\s+[a-z]+['’]s(?!\s+(?:day|eve)\b)(?:\s+(?:c\s?of\s?e\s+|rc\s+|catholic\s+)?"
                    r"(?:church|school|primary|academy|college|hospital|hospice|nursery|infants|juniors|high|chapel)\b"
                    r"(?:\s+school)?)?", re.IGNORECASE)
_WORKPLACE = re.compile(r"\b(?:works?|worked|working|job|jobs|shifts?|employed|drives?|drove|driving|cleans?|"
                        r"cleaning|volunteers?|volunteering)(?:\s+(?:nights|days|weekends|part[\s\-]time|"
                        r"full[\s\-]time|shifts|there))?\s+(?:at|for|in|with|by)\s+(?:the\s+|a\s+)?",
                        re.IGNORECASE)
# Kinds of place where someone may be seen or treated, which are not a hospital's name.
_NOT_A_SITE = frozenset("""home homes school schools nursery college house flat hospital hospitals ward wards clinic
    clinics unit surgery practice centre center hub office door station court police gp gps doctors doctor's dentist
    dentists weekend night time moment end start same last first next party nan's gran's mum's dad's friend's
    hospice refuge hostel hotel shop shops park children's childrens local nearest main family emergency general
    walk-in urgent minor scene front back""".split())
# What someone was treated for, said around where: "with a wrist injury", "for a head bump", "stabbed ... and".
_INJURY_WORDS = (r"injur\w*|wound|cut|bump|burns?|bruis\w*|fractur\w*|broken|overdose|self-harm\w*|bleed\w*|stab\w*|"
                 r"assault\w*|seizures?|infection|fever|concussion|pregnan\w*|scan|x-?rays?|poisoning|ingest\w*|"
                 r"non-mobile|skeletal\s+survey")
_INJURY = re.compile(rf"\b(?:{_INJURY_WORDS})\b", re.IGNORECASE)
# A sentence about health: someone's injury, or the people and places that treat it.
_HEALTH = re.compile(rf"\b(?:{_INJURY_WORDS}|nurses?|doctors?|paediatric\w*|pediatric\w*|wards?|medical|hospital|"
                     rf"admitted|admission|maternity|midwi\w+|bloods|discharged?|consultant|A&E|ED|skeletal|born|"
                     rf"birth|surgery|clinic)\b", re.IGNORECASE)
_INITIALS = re.compile(r"[A-Z]{2,5}|[A-Z]&[A-Z]")
# Initials after "at the", "to the": a hospital's when the sentence is about health (`_HEALTH`).
_AT_THE_INITIALS = re.compile(rf"\b(?:at|to|from|in|into|by)\s+the\s+(?P<name>{_INITIALS.pattern})(?![\w&])")
# A hospital named without its head noun, where the words say someone was treated there: "admitted to the LRI",
# "two attendances at heartlands", "born at the general in kettering", "in and out of the BRI".
_TREATED_AT = re.compile(r"\b(?:admitted|admission|attendances?|attended|born|seen|treated|rushed|blue[\s\-]lighted|"
                         r"transferred|discharged|survey|booked|presented|presenting|taken|turned\s+up|"
                         r"ended\s+up|in\s+and\s+out)\s+(?:(?:again|twice|once|there|"
                         r"later|urgently|straight)\s+)?(?:to|at|in|into|from|of)\s+(?:the\s+)?"
                         r"(?P<name>general(?!\s+(?:practi\w*|public|hospital|ward|surgery))|"
                         r"[A-Za-z][\w&'’\-]+(?:\s[A-Za-z][\w'’\-]+)?)", re.IGNORECASE)
