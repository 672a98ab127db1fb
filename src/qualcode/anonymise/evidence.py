"""Which words are people, places and organisations, decided from evidence that agrees, not from one signal.

Spoken transcripts defeat any single signal: the NER calls a sentence-initial "Okay" a person, a names list holds
"Will" and "Hope", auto-transcription writes "sinead o'rourke" in lower case, and a capital letter only means a
sentence began. So each word gathers points for and against, and becomes an identifier only when they add up:

- for: the NER's label, the first-name and surname lists, a UK town, a capital letter inside a sentence in a
  document that uses capitals, the same word capitalised elsewhere in the document, a rare word, a speaker label
  that is a name, and the words around it ("her brother ~", "Mrs ~", "~'s mum", "lives in ~", "the ~ family");
- against: an everyday English word, the same word written in lower case elsewhere in the document, an acronym,
  a function word's part of speech, a passage in another language.

A word needs at least one piece of evidence that says *person* or *place* (a capital letter or a rare word alone
is not enough). Schools, organisations and places with a head noun ("beckfield primary", "parson cross") and
workplaces ("works nights at the asda") are found by their shape in `institutions`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from spacy.tokens import Doc, Token

from qualcode.anonymise.entities import Finding
from qualcode.anonymise.institutions import ALREADY_PSEUDONYMISED, Institutions
from qualcode.anonymise.lexicon import DISCOURSE, Lexicon, fold

TITLES = frozenset("""mr mrs ms miss mx dr dc ds di dci pc sgt cllr councillor nurse auntie aunty uncle nan nanna
    grandad grandma nana nanny gran sergeant inspector constable detective insp supt professor prof pastor imam
    reverend rev""".split())
KIN = frozenset("""brother sister son daughter mum mom mam mother dad father stepdad stepmum stepfather stepmother
    nan nanna grandad grandma grandmother grandfather granddaughter grandson cousin partner boyfriend girlfriend
    husband wife baby niece nephew twin carer child kid kids fiance fiancee ex sibling siblings uncle auntie aunty
    aunt friend mate colleague neighbour manager worker supervisor boss lodger""".split())
PEOPLE = frozenset("""lad lads lass girl boy kid child baby man woman guy bloke fella chap young youngster teenager
    toddler infant coach exec dcs chair manager worker nurse teacher head dsl senco iro sw gp officer lead member
    pastor imam priest vicar""".split())
NAMING = frozenset({"called", "named", "nicknamed", "surnamed"})
QUOTATIVE = frozenset({"saying", "says", "say"})
NAMED_AS = (["name", "is"], ["name", "was"], ["name", "'s"], ["known", "as"])
AFTER_POSSESSIVE = frozenset("""mum mom mam mother dad father brother sister son daughter nan grandad grandma baby
    partner boyfriend girlfriend husband wife house flat home school bedroom room case file plan family kids
    children child carer carers dog car phone auntie uncle cousin snapchat snap insta instagram tiktok facebook
    number mobile account mates mate friends friend gang crew social worker teacher""".split())
SAID = frozenset("""said says told tells rang rung phoned texted messaged disclosed mentioned asked emailed
    replied explained admitted""".split())
ROLE_NOUNS = frozenset("""worker visitor nurse manager officer teacher head headteacher coach chair lead gp doctor
    midwife practitioner caseworker carer advocate mentor coordinator navigator therapist counsellor keyworker
    dsl senco iro paediatrician consultant sergeant constable detective inspector solicitor twins youngest
    eldest oldest baby""".split())
FAMILY = frozenset({"family", "families", "household", "kids", "children", "twins", "boys", "girls", "lot"})
LIVES = frozenset({"lives", "live", "living", "lived", "moved", "move", "moving", "grew", "born", "raised",
                   "relocated", "stays", "staying", "stayed", "gone", "went", "go", "goes", "going", "ran", "run",
                   "headed", "drove", "travelled", "fled", "placed", "housed", "rehoused"})
NEAR = frozenset({"in", "at", "from", "near", "round", "around", "off", "up", "over", "down", "towards", "to",
                  "outside", "opposite", "behind", "past", "via"})
CLOSED_CLASSES = frozenset({"AUX", "DET", "PRON", "ADP", "CCONJ", "SCONJ", "PART", "INTJ", "NUM", "SYM", "PUNCT"})
WEAK_CLASSES = frozenset({"VERB", "ADV"})
BOUNDARY = frozenset({".", "!", "?", ";", ":", "…", "\"", "--", "—", "–"})  # brackets do not start a sentence
_WORDLIKE = re.compile(r"^[^\W\d_][\w'’\-]*$")
_INITIAL = re.compile(r"^[^\W\d_]\.?$")
# A capital inside a word, but not as in McDonald, MacLeod, O'Neill, D'Souza, DeShawn, LaToya, VanDyke.
_INNER_CAPITAL = re.compile(r"^(?!(?:Mc|Mac|O['’]|D['’]|De|Di|La|Le|Van|Von)[A-Z])[A-Za-z'’]*?[a-z][A-Z]")

CENTRE = 2.5  # the points at which the evidence for a name outweighs the evidence against (confidence 0.5);
# at 4.0 (confidence about 0.8, entities.CONFIRMED) a name is sure enough to be looked for everywhere



@dataclass
class _Profile:
    """How a document writes its words: whether it uses capitals at all, and how each word is cased mid-sentence."""

    cased: bool
    capitalised: Counter[str] = field(default_factory=Counter)
    lower: Counter[str] = field(default_factory=Counter)
    terms: set[str] = field(default_factory=set)  # everyday words the document uses inside a phrase of the field


@dataclass(frozen=True)
class _Reading:
    """What one doc's words are, whatever is being looked for in it: read once, weighed twice (see `find`)."""

    text: str  # spaCy joins every token to make `Doc.text`, each time it is asked for
    starts: set[int]
    foreign: set[int]
    protected: set[int]


@dataclass(frozen=True)
class NameEvidence:
    """Finds people, places and organisations in one document's texts by weighing evidence.

    Args:
        lexicon: word knowledge (names, everyday words, towns).
        allow: words and phrases of the field (case-folded) that are never identifiers.
        threshold: points at which a word is taken as an identifier.
    """

    lexicon: Lexicon
    allow: frozenset[str]
    threshold: float = CENTRE

    def find(self, docs: Sequence[Doc], labels: Iterable[str] = ()) -> list[list[Finding]]:
        """Findings per doc; `labels` are speaker labels already judged to be people. A word found to be a
        person's name in one turn is weighed as one in the document's other turns too ("the coach gaz" ...
        "if it wasn't for gaz"), though never spread beyond the document unless it was confirmed."""
        profile = self._profile(docs)
        named = {fold(w) for label in labels for w in re.findall(r"[^\W\d_][\w'’\-]*", label)}
        readings = [(doc, self._reading(doc)) for doc in docs]
        # "we rag everything red amber green": here "amber" is a rating wherever it is said, not a girl
        profile.terms = {fold(doc[i].text) for doc, reading in readings for i in reading.protected
                         if fold(doc[i].text) in self.lexicon.dictionary}
        first = [list(self._words(doc, reading, profile, named, set())) for doc, reading in readings]
        texts = [reading.text for _, reading in readings]
        seen = {fold(text[f.start:f.end]) for text, found in zip(texts, first, strict=True) for f in found
                if f.kind in {"PERSON", "PLACE"} and (not self.lexicon.is_common(text[f.start:f.end])
                                                      or (profile.cased and text[f.start].isupper()))}
        seen -= named
        words = [list(self._words(doc, reading, profile, named, seen)) for doc, reading in readings] if seen else first
        return [[*found, *self._institutions.find(text, profile.cased), *self._places_of_several_words(text)]
                for text, found in zip(texts, words, strict=True)]

    @cached_property
    def _towns_of_several_words(self) -> frozenset[str]:
        return frozenset(_place_key(town) for town in self.lexicon.towns if re.search(r"[\s\-]", town))

    @staticmethod
    def _written_as_a_name(said: list[str]) -> bool:
        """"Tower Hamlets", "Isle of Wight": every word but a connector capitalised."""
        return all(w[:1].isupper() or fold(w) in {"of", "on", "upon", "in", "the", "by", "and", "le"} for w in said)

    def _rare_enough(self, said: list[str], before: str) -> bool:
        """A town of everyday words said in lower case ("tower hamlets", "isle of wight") is the town when one of its
        words is uncommon, it does not open with a small word ("four lanes", "how wood", "new buildings") and
        nothing before it makes it a thing ("a red scar")."""
        first = fold(said[0])
        return (first not in self.lexicon.stop_words and first not in _SMALL_WORDS
                and any(self.lexicon.zipf(fold(w)) < 4.0 for w in said)
                and not re.search(r"\b(?:a|an|his|her|their|my|your|our|its)\s+$", before, re.IGNORECASE))

    def _places_of_several_words(self, text: str) -> Iterator[Finding]:
        """Towns named in several words ("king's lynn", "Weston-super-Mare", "st helens"), which no single word
        of them says: the gazetteer's own phrase, unless every word of it is an everyday one ("west end")."""
        words = list(_PLACE_WORD.finditer(text))
        i = 0
        while i < len(words):
            for n in (4, 3, 2):
                last = i + n - 1
                if last >= len(words):
                    continue
                start, end = words[i].start(), words[last].end()
                phrase = text[start:end]
                if "\n" in phrase or _place_key(phrase) not in self._towns_of_several_words:
                    continue
                said = [w.group(0) for w in words[i:last + 1]]
                if all(self.lexicon.is_common(w) or fold(w) in {"st", "saint"} for w in said) and not (
                        self._written_as_a_name(said) or self._rare_enough(said, text[:start])):
                    continue
                if fold(phrase) not in self.allow:
                    yield Finding(start, end, "PLACE", 0.85)
                i = last
                break
            i += 1

    @cached_property
    def _institutions(self) -> Institutions:
        return Institutions(self.lexicon, self.allow)

    @cached_property
    def _phrase_pattern(self) -> re.Pattern[str]:
        return _phrases(self.allow | self.lexicon.countries)

    def _protected(self, doc: Doc) -> set[int]:
        """Tokens inside a phrase of the field ("Clare's Law", "Signs of Safety") or a country ("South Africa")."""
        protected: set[int] = set()
        for match in self._phrase_pattern.finditer(doc.text):
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is not None:
                protected.update(range(span.start, span.end))
        return protected

    def is_name_word(self, word: str, alone: bool = False) -> bool:
        """A word of a speaker label that names a person: a listed first name or surname ("jo", "Okafor", even
        "Hope"), or a rare word no dictionary holds ("harpreet"); not a role, a title or an acronym ("DS", "docs")."""
        folded = fold(word)
        if (folded in self.allow or folded in DISCOURSE or folded.rstrip(".") in TITLES or len(folded) < 2
                or (word.isupper() and len(word) <= 3)):
            return False
        if self.lexicon.is_name(folded):
            return True
        # a word no one uses every day is somebody's name ("harpreet"); a label of one such word even when it is
        # not rare ("mei"), since a role is said in more words or in the field's own
        rare_enough = alone or self.lexicon.zipf(folded) < 3.0
        return (not self.lexicon.is_common(folded) and len(folded) >= 3 and rare_enough
                and not self.lexicon.is_acronym(word))

    @staticmethod
    def score(points: float) -> float:
        """Points as a confidence in (0, 1): 0.5 at `CENTRE`, about 0.8 at `CONFIRM`."""
        return 1.0 / (1.0 + math.exp(-(points - CENTRE)))

    # --- the document ---------------------------------------------------------------------------------------

    def _profile(self, docs: Sequence[Doc]) -> _Profile:
        initial_caps = initial_total = 0
        capitalised: Counter[str] = Counter()
        lower: Counter[str] = Counter()
        for doc in docs:
            starts = _sentence_starts(doc)
            for token in doc:
                if not _WORDLIKE.match(token.text):
                    continue
                if token.i in starts:
                    initial_total += 1
                    initial_caps += token.text[0].isupper()
                elif token.text[0].isupper():
                    capitalised[fold(token.text)] += 1
                else:
                    lower[fold(token.text)] += 1
        cased = initial_caps >= 0.5 * initial_total if initial_total >= 3 else sum(capitalised.values()) > 0
        return _Profile(cased, capitalised, lower)

    # --- single words -----------------------------------------------------------------------------------------

    def _reading(self, doc: Doc) -> _Reading:
        starts = _sentence_starts(doc)
        return _Reading(doc.text, starts, _foreign_tokens(doc, starts, self.lexicon), self._protected(doc))

    def _words(self, doc: Doc, reading: _Reading, profile: _Profile, label_words: set[str],
               seen: set[str]) -> Iterator[Finding]:
        text, starts, foreign, protected = reading.text, reading.starts, reading.foreign, reading.protected
        scored: dict[int, tuple[float, str]] = {}
        for token in doc:
            decided = self._weigh(token, text, token.i in starts, profile, label_words, token.i in foreign, seen,
                                  protected)
            if decided is not None:
                scored[token.i] = decided
        # a word joined to a name by "and" or a hyphen is weighed again as a name ("Temitope and Chidi",
        # "Ruby-Mae"), then a name's neighbour that could be part of it joins it ("Sinead O'Rourke")
        for i, (points, kind) in list(scored.items()):
            if points < self.threshold or kind != "PERSON":
                continue
            for j, between in ((i - 2, i - 1), (i + 2, i + 1)):
                if not 0 <= j < len(doc) or doc[between].text.casefold() not in {"and", "&", "-", "or"}:
                    continue
                hyphenated = (doc[between].text == "-" and not doc[min(i, j)].whitespace_
                              and not doc[between].whitespace_ and _WORDLIKE.match(doc[j].text) is not None
                              and fold(doc[min(i, j)].text + "-" + doc[max(i, j)].text) not in self.lexicon.headwords)
                if hyphenated:  # one name written with a hyphen: "ka-yan", "jun-jun", "ana-maria"
                    scored[j] = (self.threshold, "PERSON")
                elif j in scored and scored[j][0] < self.threshold and scored[j][0] + 1.5 >= self.threshold:
                    scored[j] = (scored[j][0] + 1.5, "PERSON")
                elif j not in scored and self._could_be_name_part(doc[j], profile, after=j > i):
                    scored[j] = (self.threshold, "PERSON")
        for i, (points, kind) in list(scored.items()):
            if points < self.threshold:
                continue
            for k in (_neighbour(doc, i, -1), _neighbour(doc, i, +1)):
                weak = k is not None and (k not in scored or scored[k][0] < self.threshold)
                if weak and k is not None and self._could_be_name_part(doc[k], profile, after=k > i):
                    scored[k] = (self.threshold, kind)
        for i, (points, kind) in sorted(scored.items()):  # a name said twice over is a name both times
            if points >= self.threshold:
                for step in (-1, 1):
                    j = i + step
                    while 0 <= j < len(doc) and fold(doc[j].text) == fold(doc[i].text):
                        scored[j] = (max(points, scored.get(j, (points, kind))[0]), kind)
                        j += step
        for i, (points, kind) in sorted(scored.items()):
            if points >= self.threshold:
                token = doc[i]
                end = token.idx + len(token.text)
                if kind == "PERSON" and self._initial_follows(doc, i, profile):  # "bradley t", "Agnieszka W."
                    end = doc[i + 1].idx + len(doc[i + 1].text)
                yield Finding(token.idx, end, kind, self.score(points))
                if kind == "PERSON":
                    age = _AGE_AFTER_NAME.match(text, token.idx + len(token.text))
                    if age:
                        yield Finding(age.start("age"), age.end("age"), "AGE", 0.8)

    def _weigh(self, token: Token, text_of_doc: str, initial: bool, profile: _Profile, label_words: set[str],
               foreign: bool, seen: set[str], protected: set[int]) -> tuple[float, str] | None:
        text = token.text
        if len(text) < 2 or not _WORDLIKE.match(text):
            return None
        folded = fold(text)
        bare = re.sub(r"'s$", "", folded)
        lex = self.lexicon
        if (folded in self.allow or bare in self.allow or f"{bare}'s" in self.allow or folded in DISCOURSE
                or folded.rstrip(".") in TITLES
                or (lex.is_nationality(bare) and (bare not in lex.first_names  # Jordan, Georgia: names too
                                                  or _after(token, {"speaks", "speak", "spoke", "speaking"})
                                                  or (_after(token, {"in"}) and bare not in lex.towns)))
                or token.i in protected
                or (token.ent_type_ in {"NORP", "LANGUAGE"} and not lex.is_name(bare))
                or _is_own_pseudonym(token, lex)):
            return None
        person = place = generic = 0.0
        specific = False
        capital = text[0].isupper()
        common = lex.is_common(bare)
        if token.ent_type_ == "PERSON":
            person, specific = person + 1.5, True
        elif token.ent_type_ in {"GPE", "LOC", "FAC"}:
            place, specific = place + 1.5, True
        elif (token.ent_type_ == "ORG" and profile.cased and capital and not initial and bare not in lex.dictionary
              and lex.zipf(bare) < 3.0 and not _INNER_CAPITAL.search(text)):
            place, specific = place + 0.5, True  # "(Ridgeway)", "the Oakbrook DSL": a rare name the NER calls ORG
        if bare in lex.first_names:
            # a listed first name no dictionary holds ("rosie", "connor"), typed without a capital or opening a
            # sentence where capitals say nothing, is a name; "gemma" and "mentor" need more
            unambiguous = bare not in lex.dictionary and lex.zipf(bare) < 4.5 and (not profile.cased or initial)
            person, specific = person + (2.5 if unambiguous else 1.5), True
        elif bare in lex.surnames:
            person, specific = person + 1.0, True
        if (not profile.cased and not capital and token.pos_ == "PROPN" and token.ent_type_ != "DATE"
                and (bare in lex.first_names or bare in lex.surnames) and not foreign
                and not lex.is_foreign_word(bare) and lex.zipf(bare) < 5.0):
            # a listed name that is also a word ("jane", "dean"), typed without a capital, that the tagger reads
            # in its sentence as a proper noun: it was trained on text with capitals, so only the words around
            # it can have told it so ("our dcs at the time jane whitely"); not a word as common as "west" or "one"
            person += 3.5
        if bare in lex.towns and (capital or not common or lex.zipf(bare) < 3.5):  # not "bath" or "reading"
            place, specific = place + 2.5, True
        elif bare in lex.towns and _said_as_destination(token):  # "a hotel in derby", "down to dover"
            place, specific = place + 3.5, True
        elif bare in lex.cities and not common and not lex.is_name(bare):  # "came from accra"
            place, specific = place + 2.0, True
        if capital and token.pos_ == "PROPN" and not lex.is_acronym(text):
            generic += 1.0  # the tagger reads it, in its sentence, as a proper noun
            if (profile.cased and not initial and bare not in lex.dictionary and lex.zipf(bare) < 2.5
                    and not _INNER_CAPITAL.search(text) and not lex.is_plural_word(bare)):
                person, specific = person + 0.5, True  # "Gift Moyo is one of them": a surname no list holds
        if profile.cased and capital and not lex.is_acronym(text):
            if not initial:
                generic += 2.0 + (0.5 if not profile.lower[folded] else 0.0)
            elif profile.capitalised[folded] and not profile.lower[folded]:
                generic += 1.5  # capitalised at a sentence start, and inside sentences elsewhere too
        if profile.cased and profile.lower[folded] > profile.capitalised[folded]:
            generic -= 2.0  # this document writes it in lower case: an everyday word here
        if (not profile.cased and not common and lex.zipf(bare) < 2.5 and bare not in lex.dictionary and not foreign
                and not lex.is_plural_word(bare) and token.pos_ not in CLOSED_CLASSES | WEAK_CLASSES):
            # in a transcript typed without capitals, a word no dictionary or corpus knows is a name more often
            # than not ("harehills", "okonjo", "semhar"): the field's own acronyms are in its vocabulary
            person, specific = person + 1.5, True
        if common and place >= 2.5:
            generic -= 1.0  # a town that is also a word ("wigan" the cloth): the gazetteer outweighs the dictionary
        elif common and profile.cased and capital and not initial and (bare in lex.first_names
                                                                       or bare in lex.surnames):
            generic -= 1.0  # an everyday word that is a name too, capitalised inside a sentence ("we had Grace")
        elif common:  # an everyday word, capitalised or not: a field of a form, a heading's word, a term
            generic -= 2.5
        elif lex.zipf(bare) < 3.0 and len(bare) >= 3 and bare not in lex.dictionary and not lex.inflects(bare):
            generic += 1.0
        context_person, context_place = _context(token, text_of_doc, lex)
        if (bare in PEOPLE or bare in KIN or bare in ROLE_NOUNS or bare in profile.terms) and context_person < 4.0:
            return None  # "an afghan lad he's fifteen": the word for a person is not his name (unless "Mrs Lad")
        if (profile.cased and capital and not initial and not common and token.ent_type_ != "PERSON"
                and not (context_person or context_place) and lex.is_term(bare)):
            return None  # a word of the dictionary capitalised as a term ("the Maintainer field"), nothing more
        if context_person >= 4.0:
            pass  # after "Mrs" or "is called" the tagger's guess of a verb counts for nothing
        elif (not capital or not profile.cased) and token.pos_ in CLOSED_CLASSES:
            generic -= 2.0
        elif (not capital or not profile.cased) and token.pos_ in WEAK_CLASSES and not (bare in lex.towns
                                                                                       and not common):
            generic -= 1.0  # the tagger's guess in lower case, unless the gazetteer knows it ("is staffordshire")
        if profile.cased and lex.is_acronym(text):
            generic -= 2.0
        if _INNER_CAPITAL.search(text):
            generic -= 3.5  # DevOps, LinkedIn, ImageNet: products are written so, names seldom
        if lex.is_foreign_word(bare) and context_person < 2.5:  # "the early help worker kaz": the words say who
            generic -= 1.5
        if context_person or context_place:
            specific = True
        person += context_person
        place += context_place
        if bare in label_words:
            person, specific = person + 3.0, True
        elif (bare in seen and (capital or not common or bare in lex.towns)
              and (capital or not profile.cased
                   or not in_a_technical_word(text_of_doc, token.idx, token.idx + len(text)))):
            # found as a name elsewhere in the document, though where names are written with capitals, not in
            # lower case inside a path, an address or a package's name ("debian-devel", "debian/rules")
            person, specific = person + (1.5 if common else 2.5), True
        if foreign:
            generic -= 2.0
        if not specific:
            return None
        kind = "PLACE" if place > person else "PERSON"
        return generic + max(person, place), kind

    @staticmethod
    def _initial_follows(doc: Doc, i: int, profile: _Profile) -> bool:
        """A single letter straight after a name is its initial ("gaz h"), though not "a", "I" or "o"."""
        following = doc[i + 1] if i + 1 < len(doc) else None
        return (following is not None and doc[i].whitespace_ == " " and bool(_INITIAL.match(following.text))
                and fold(following.text).rstrip(".") not in {"a", "i", "o"}
                and (following.text[0].isupper() or not profile.cased))

    def _could_be_name_part(self, token: Token, profile: _Profile, after: bool = True) -> bool:
        """Could this neighbour of a name be part of it? A capitalised everyday word may follow a first name as a
        surname ("Darren Holt") but not come before one ("Country Xian")."""
        text = token.text
        if len(text) < 2 or not _WORDLIKE.match(text) or _is_own_pseudonym(token, self.lexicon):
            return False
        folded = fold(text)
        if (folded in self.allow or folded in DISCOURSE or folded.rstrip(".") in TITLES
                or (self.lexicon.is_foreign_word(folded) and token.ent_type_ != "PERSON")):
            return False  # a word of another language, unless the NER reads it as part of the name ("kowalczyk")
        common = self.lexicon.is_common(folded)
        first_name = folded in self.lexicon.first_names  # "Precious Adebayo", "grace um adeyemi"
        if profile.cased and text[0].isupper() and not self.lexicon.is_acronym(text) and (after or not common
                                                                                           or first_name):
            return True
        if not profile.cased and not after and first_name and token.pos_ not in CLOSED_CLASSES | WEAK_CLASSES:
            return True
        if after and folded in self.lexicon.surnames and self.lexicon.zipf(folded) < 4.0 and token.pos_ in {
                "PROPN", "NOUN"}:
            return True  # a listed surname that is also a word, straight after a name ("sukhwinder gill")
        # last: a word after a name that the tagger reads as a proper noun with it ("chelsea dobbs")
        return not common and (folded in self.lexicon.surnames or folded in self.lexicon.first_names
                               or self.lexicon.zipf(folded) < 3.0 or _GAELIC_SURNAME.match(folded) is not None
                               or (after and token.pos_ == "PROPN" and not self.lexicon.is_nationality(folded)))

_AGE_AFTER_NAME = re.compile(r"(?:['’]s|,\s+(?:is|was|who's|who\s+is|aged)|,|\s+is|\s+was|\s+who\s+is|"
                             r"(?=\s+(?:(?!one\b)[a-z]|\d{1,2}\s*[,;)])))\s+"  # "Tobi 11", not "the walsall one"
                             r"(?:only\s+|just\s+|nearly\s+|now\s+)?(?P<age>(?:\d{1,2}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s\-](?:one|two|"
                             r"three|four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|"
                             r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
                             r"(?:\s+and\s+a\s+half)?(?:\s+(?:months?|weeks?|years?)(?:\s+old)?)?)"  # "Ezra, 4 months"
                             r"(?=\s*(?:[.,;!?)]|$|now\b|and\b|when\b|but\b|so\b|at\b|in\b|with\b|both\b|too\b|"
                             r"then\b|last\b|next\b)|(?<!\bone)\s+(?:he|she)(?:['’]s|\s+is|\s+was)\b)",
                             re.IGNORECASE)  # "ebuka is sixteen he's a young carer", not "the walsall one he's"
_SMALL_WORDS = frozenset("""one two three four five six seven eight nine ten new old great little high low upper
    lower north south east west big long red""".split())
_PLACE_WORD = re.compile(r"[^\W\d_][\w'’]*")


def _place_key(phrase: str) -> str:
    """How a town of several words is looked up, however it was typed: "King's Lynn", "kings lynn", "St. Helens",
    "saint helens", "weston super mare"."""
    key = re.sub(r"['’.]", "", fold(phrase))
    key = re.sub(r"[\s\-]+", " ", key).strip()
    return re.sub(r"^saint ", "st ", key)


def _phrases(vocabulary: frozenset[str]) -> re.Pattern[str]:
    """One pattern for every phrase of several words in a vocabulary."""
    phrases = sorted((p for p in vocabulary if " " in p), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases) + r")(?!\w)",
                      re.IGNORECASE)


def _neighbour(doc: Doc, i: int, step: int) -> int | None:
    """The next word beside token i, past fillers ("jermaine um okonjo"), within the same sentence."""
    j = i + step
    while 0 <= j < len(doc) and fold(doc[j].text) in {"um", "uh", "erm", "er", "umm", "uhh"}:
        j += step
    return j if 0 <= j < len(doc) and j != i + step * 4 else None


_OPENING = re.compile(r"(?:^|[.!?]\s+|\n\s*)[\"'“‘(]?([^\W\d_])")


def writes_capitals(texts: Sequence[str]) -> bool:
    """Whether a document's sentences open with capitals (half of them or more): where they do, so do its names;
    an auto-transcript in lower case says nothing by its capitals. (On raw text, for the sweep; the evidence's own
    profile reads spaCy's tokens.)"""
    openings = [m.group(1) for text in texts for m in _OPENING.finditer(text)]
    return len(openings) >= 3 and sum(c.isupper() for c in openings) >= 0.5 * len(openings)


TECHNICAL_JOINS = frozenset("/._@:-~#")  # what joins the parts of a path, an address, a package, a handle


def in_a_technical_word(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` is part of a longer word joined by `TECHNICAL_JOINS` with no space ("debian" of
    "debian-devel" or "lists.debian.org"), not a word of its own ending a sentence ("then adebayo.")."""
    before = start > 0 and text[start - 1] in TECHNICAL_JOINS and (text[start - 1] == "#" or (start > 1
                                                                   and text[start - 2].isalnum()))
    after = end + 1 < len(text) and text[end] in TECHNICAL_JOINS and text[end + 1].isalnum()
    return before or after


def _sentence_starts(doc: Doc) -> set[int]:
    """Tokens that open a sentence or a turn, counting fillers ("Uh, so, Okay, Model ...") as not yet begun."""
    starts: set[int] = set()
    begun = False
    for token in doc:
        if token.is_space or "\n" in token.text or token.text in BOUNDARY:
            begun = False
            continue
        if not _WORDLIKE.match(token.text):
            continue
        if not begun:
            starts.add(token.i)
            begun = fold(token.text) not in DISCOURSE
    return starts


def _after(token: Token, words: set[str]) -> bool:
    return token.i > 0 and fold(token.doc[token.i - 1].text) in words


def _quoted_after_saying(doc: Doc, lexicon: Lexicon) -> Iterator[int]:
    """Words quoted after "kept saying", "said to me in shona", 'said "...' that are neither English nor a listed
    name ("malai thaha chaina", "ndapota musandisiya"): another language the word lists do not hold, not a name.
    The quotation ends at the first English word ("which means ...")."""
    for token in doc:
        said = fold(token.text)
        if said not in QUOTATIVE and said not in {"said", "goes", "went", "replied", "whispered", "shouted"}:
            continue
        i = token.i + 1
        while i < len(doc) and (doc[i].is_punct or fold(doc[i].text) in {"to", "me", "us", "her", "him", "in",
                                                                           "like"}
                                or lexicon.is_nationality(doc[i].text)):
            i += 1  # "said to me in shona", 'said "'
        opens_quote = doc[i - 1].text in {'"', "“", "'", "‘"}
        in_a_language = any(fold(doc[j].text) == "in" for j in range(token.i + 1, i))
        if said not in QUOTATIVE and not opens_quote and not in_a_language:
            continue  # "she said kaz was": after a bare "said" a name is as likely as a quotation
        run = []
        while (i < len(doc) and _WORDLIKE.match(doc[i].text) and not lexicon.is_name(doc[i].text)
               and lexicon.zipf(fold(doc[i].text)) < 3.5):
            run.append(i)
            i += 1
        yield from run


def _foreign_tokens(doc: Doc, starts: set[int], lexicon: Lexicon) -> set[int]:
    """Tokens in another language, where only strong evidence counts: whole sentences (a French passage), and
    runs of two or more words quoted inside an English one ("she said nie chcę żeby ktoś wiedział")."""
    foreign: set[int] = set()
    sentence: list[Token] = []
    for token in [*doc, None]:
        if token is None or token.i in starts:
            if sentence and lexicon.looks_foreign([t.text for t in sentence]):
                foreign.update(t.i for t in sentence)
            sentence = []
        if token is not None and _WORDLIKE.match(token.text):
            sentence.append(token)
    foreign.update(_quoted_after_saying(doc, lexicon))
    words = [t for t in doc if _WORDLIKE.match(t.text)]
    other = [fold(t.text) not in DISCOURSE and (lexicon.is_foreign_word(t.text) or (  # "er" is a filler here
        lexicon.other_language(t.text) >= 2.0 and lexicon.zipf(t.text.casefold()) < 2.0
        and not lexicon.is_name(t.text))) for t in words]
    named = {i for ent in doc.ents if ent.label_ == "PERSON" and len(ent) <= 3 for i in range(ent.start, ent.end)}
    run: list[int] = []
    for n, token in enumerate([*words, None]):
        # a word said twice ("mairi mairi mcallister") is a false start, not a passage in another language
        if token is not None and other[n] and (not run or fold(words[run[-1]].text) != fold(token.text)):
            run.append(n)
            continue
        # a run the NER reads as a name of up to three words from end to end ("i'm gosia kowalczyk") is a name, not
        # a quotation (which it may read as an eight-word "name", or as a name of words as common as "ka" or "ki")
        if len(run) >= 2 and not all(words[m].i in named and lexicon.other_language(words[m].text) < 6.0
                                     for m in run):
            foreign.update(words[m].i for m in run)
        run = [n] if token is not None and other[n] else []
    return foreign


def _context(token: Token, text: str, lexicon: Lexicon) -> tuple[float, float]:
    """Points for (person, place) from the words around a token; `text` is its doc's."""
    doc = token.doc
    first = token.i
    while first > 0 and fold(doc[first - 1].text) == fold(token.text):
        first -= 1  # a name said twice over ("the social worker jane jane whitely") has the first one's context
    before = [fold(t.text) for t in doc[max(0, first - 3):first] if not t.is_punct or t.text in {"'s", "’s"}]
    after = [fold(t.text) for t in doc[token.i + 1:token.i + 3]]
    previous = before[-1] if before else ""
    person = place = 0.0
    if previous.rstrip(".") in TITLES and not (previous in PEOPLE and token.pos_ in {"VERB", "AUX", "ADV", "ADP"}):
        person += 4.0  # "Mrs Brown": after a title, even an everyday word is a surname ("the nurse read" is a verb)
    elif (previous in NAMING and len(before) > 1 and before[-2] in {"is", "was", "'s", "be", "been"}) or (
            len(before) > 1 and before[-2] in {"call", "calls", "called"} and previous in {"him", "her", "them"}) or (
            previous in {"call", "calls"} and len(before) > 1 and before[-2] in {"they", "we", "everyone", "people",
                                                                                 "i", "you", "kids", "lads"}):
        person += 4.0  # "her partner is called will", "everyone calls him lil t"
    elif (previous in KIN or previous in PEOPLE) and _AGE_SAID_AFTER.match(text, token.idx + len(token.text)):
        person += 4.0  # "a little girl hope she's three": a child, named, then aged
    elif (previous in KIN or previous in NAMING or before[-2:] in NAMED_AS or previous == "name"
          or (previous in {"'s", "’s"} and len(before) > 1 and before[-2] in KIN)):
        person += 2.5  # "her brother tolu", "her first name, Cerys", "mum's maria"
    elif previous in PEOPLE and not lexicon.is_common(token.text) and not lexicon.is_plural_word(token.text):
        person += 2.5  # "a lad jj", "the coach gaz", "a girl from eritrea semhar" (below)
    if after[:1] in (["'s"], ["’s"]) and after[1:2] and after[1] in AFTER_POSSESSIVE:
        person += 2.5
    elif after[:1] in (["and"], [","]) and len(after) > 1 and after[1] in {"me", "i"}:
        person += 1.0
    elif after[:1] and after[0] in FAMILY and previous == "the":
        person += 2.5
    elif after[:1] and after[0] in SAID:
        person += 1.0
    elif after[:2] == ["from", "the"]:
        person += 1.0  # "gemma from the family hub"
    elif after[:1] == ["who"] or after[:2] == [",", "who"]:
        person += 2.5  # "Faith, who runs the hub"
    elif _AGE_SAID_AFTER.match(text, token.idx + len(token.text)):
        person += 2.5  # "a little girl hope she's three", "their girl oliwia was six weeks old"
    if before[-2:] == ["me", "and"]:
        person += 1.0
    if any(word in QUOTATIVE for word in before[-3:]) and not lexicon.is_name(token.text) and token.text.islower():
        person -= 2.0  # "she kept saying ami kita kortam": words quoted in another language, not a name
    if len(before) >= 2 and before[-1] == "," and (before[-2] in KIN or before[-2] in ROLE_NOUNS):
        person += 2.0  # "the health visitor, bernie,"
    elif after[:1] == [","] and len(after) > 1 and after[1] in {"the", "her", "his", "their", "our", "my"}:
        described = [fold(t.text) for t in doc[token.i + 3:token.i + 5]]
        if any(word in KIN or word in ROLE_NOUNS for word in described):
            person += 2.0  # "Big Des, the uncle,"
    folded = fold(token.text)
    following = token.nbor(1) if token.i + 1 < len(doc) else None
    heads_phrase = (following is None or following.pos_ not in {"NOUN", "PROPN"}
                    or fold(following.text) in KIN)  # "the dumitrus mum's loredana"
    if previous == "the" and folded.endswith("s") and len(folded) >= 4 and heads_phrase:
        stem = folded[:-1]
        if stem in lexicon.surnames or (not lexicon.is_common(stem) and lexicon.zipf(stem) < 3.0
                                        and not lexicon.is_common(folded)):
            person += 2.0  # "the popescus"
    if not lexicon.is_common(folded):  # a first name and a surname side by side: "bethan pritchard"
        neighbour = doc[token.i + 1] if folded in lexicon.first_names and token.i + 1 < len(doc) else (
            doc[token.i - 1] if folded in lexicon.surnames and token.i > 0 else None)
        pair = lexicon.surnames if neighbour is not None and neighbour.i > token.i else lexicon.first_names
        if neighbour is not None and fold(neighbour.text) in pair and not lexicon.is_common(neighbour.text):
            person += 1.5
    if any(word in LIVES for word in before[-3:-1]) and previous in NEAR | {"the"}:
        place += 2.0
    elif previous in NEAR and not lexicon.is_common(folded):
        rare = (lexicon.zipf(folded) < 3.0 and token.pos_ in {"NOUN", "PROPN", "X"}
                and not lexicon.is_plural_word(folded))
        place += 1.5 if rare and folded not in lexicon.first_names else 0.5  # "up in grenoside"
    return person, place


# A person's age said straight after a word: "hope she's three", "johnny joe he's eleven", "oliwia was six weeks".
_AGE_SAID_AFTER = re.compile(r",?\s+(?:(?:she|he)(?:['’]s|\s+is|\s+was)|who['’]s|was|is)\s+"
                             r"(?:only\s+|just\s+|nearly\s+)?"
                             r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                             r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)\b"
                             r"(?!\s*(?:%|per|percent|pounds|quid|times|o'clock|hours?|minutes?|days|of|or|in|out|"
                             r"people|cases|weeks?\s+(?:ago|later)|months?\s+(?:ago|later)))", re.IGNORECASE)


# Surnames by their shape, whatever list holds them: McAllister, O'Hara, MacKinnon.
_GAELIC_SURNAME = re.compile(r"^(?:mc|o'|mac(?=[^aeiouhr']))[a-z]{3,}$")
_DESTINATION = frozenset({"in", "from", "to", "near", "outside", "towards", "around", "round", "via"})


def _said_as_destination(token: Token) -> bool:
    """A town that is also an everyday word, said where a place goes: a noun straight after "in", "from" or "to"
    and not before another noun ("lived in derby", not "in deal with" or "to bath time")."""
    doc = token.doc
    following = doc[token.i + 1] if token.i + 1 < len(doc) else None
    return (token.i > 0 and fold(doc[token.i - 1].text) in _DESTINATION and token.pos_ in {"NOUN", "PROPN"}
            and (following is None or following.pos_ not in {"NOUN", "PROPN"}))


def _is_own_pseudonym(token: Token, lexicon: Lexicon) -> bool:
    """'Company' in "Company 1", 'City' in "City X", 'Ville' in "Ville 1": an everyday noun, in English or in the
    language of the passage, and a number or letter, a placeholder someone already put in (but "Ali V" is a name
    and an initial)."""
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return (following is not None and bool(ALREADY_PSEUDONYMISED.match(following.text))
            and token.text[0].isupper() and (lexicon.is_common(token.text) or (
                lexicon.is_foreign_word(token.text))))
