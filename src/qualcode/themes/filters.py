"""What themes leave out, and the words their keywords are drawn from.

Auto-transcribed talk is full of statements that say nothing about a subject ("Yeah. Okay, perfect.", "Can you
hear me?", "Thank you so much.") and sometimes passages in another language. Left in, they form themes of their
own ("thank, perfect, oh"; "et, se, ne"). These functions find them, so themes are drawn from the rest and the
output can say how many statements were left out, and why.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.text import for_models
from qualcode.usercache import cached_word_lists, installed

if TYPE_CHECKING:
    from spacy.tokens import Doc

BACKCHANNEL = "backchannel"
OTHER_LANGUAGE = "other language"
NO_SUBJECT = "no subject"  # fewer than `SUBJECT_WORDS` keyword words: "Same.", "Clearer, yes."
SUBJECT_WORDS = 2

# Words that carry no subject in a statement on their own: fillers, replies and courtesies that spaCy tags as
# adjectives, verbs or nouns ("perfect", "sure", "thank", "day"), and talk about the conversation itself ("can you
# hear me?", "good question"). spaCy's INTJ tag and the corpus's own interjections cover the rest (`backchannels`).
REPLIES = frozenset((
    "yeah", "yes", "yep", "yup", "no", "nope", "ok", "okay", "alright", "right", "sure", "fine", "good", "great",
    "cool", "nice", "perfect", "awesome", "excellent", "exactly", "absolutely", "definitely", "correct", "true",
    "indeed", "course", "agree", "interesting", "wow", "gosh", "hmm", "mm", "mhm", "huh", "oh", "ah", "eh", "hey",
    "ha", "nah"))
COURTESIES = frozenset((
    "thank", "thanks", "welcome", "pleasure", "sorry", "appreciate", "hello", "hi", "bye", "goodbye", "cheers",
    "wish", "luck", "best", "care", "day", "evening", "morning", "afternoon"))
CONVERSATION = frozenset((  # managing the conversation itself
    "question", "questions", "ask", "hear", "repeat", "understand", "remember", "mean", "know", "think", "guess",
    "see", "go", "ahead", "wait", "sec", "second", "minute", "time", "bit", "gimme", "lemme"))
DISCOURSE_WORDS = REPLIES | COURTESIES | CONVERSATION
CONTENT_POS = frozenset(("NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM", "X"))
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*_\d+\]")  # the gate's pseudonyms: [PERSON_3], [SCHOOL_1]
WORD = re.compile(r"(?u)\b[^\W\d_][^\W\d_]+(?:'[^\W\d_]+)?\b")  # words of two letters or more, "didn't" whole
# Numbers said as words carry no subject ("twenty four", "eighty nine per cent", "twentyfour" as transcribed).
NUMBER_WORD = re.compile(
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|"
    r"per|cent|percent|half|and)+")
# Plural endings that are not plurals: "news", "status", "process", "basis", "serious", "politics", "always".
_NOT_PLURAL = re.compile(r".*(?:ss|us|is|ics|ways|wards|ws|eries|ecies)|.{0,3}")
# Stop words of the languages interviews drift into, for keywords drawn from mixed passages.
OTHER_LANGUAGES = ("fr", "de", "es", "it", "pt", "nl")


BACKCHANNEL_WORDS = 15  # a backchannel is short: "Yeah. Okay, perfect."


def backchannels(docs: Sequence[Doc], max_words: int = BACKCHANNEL_WORDS) -> list[bool]:
    """Which statements are backchannels: at most `max_words` words, none of them a content word, and at least
    one a discourse marker ("Yeah. Okay, perfect.", "Thank you very much.", "Sorry, can you hear me?").

    A discourse marker is a word spaCy tags as an interjection there, a word it tags so in at least half its uses
    across `docs` (the transcript's own fillers: "uh", "okay", "well"), or one of `DISCOURSE_WORDS`. A content
    word is a noun, name, verb, adjective, adverb or number that is none of these and not a stop word. Statements
    with no content word and no marker ("And if we see.") are fragments, not backchannels: they stay.

    Args:
        docs: the statements, tagged by a spaCy pipeline with a tagger (`qualcode.nlp.lemma_pipeline`).
    """
    uses: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        for token in doc:
            uses[token.lower_][token.pos_] += 1
    interjections = {word for word, tags in uses.items() if 2 * tags["INTJ"] >= sum(tags.values())}
    found = []
    for doc in docs:
        words = [t for t in doc if any(c.isalpha() for c in t.text) and not PLACEHOLDER.fullmatch(t.text)]
        markers = [t for t in words if t.pos_ == "INTJ" or t.lower_ in interjections or t.lower_ in DISCOURSE_WORDS
                   or t.lemma_.lower() in DISCOURSE_WORDS]
        marked = {t.i for t in markers}
        content = [t for t in words if t.i not in marked and not t.is_stop
                   and (t.pos_ in CONTENT_POS or not t.is_alpha)]  # "x_train" counts; "'s" and "n't" are stop words
        found.append(bool(markers) and not content and len(words) <= max_words)
    return found


def other_language(texts: Iterable[str], language: str = "en", min_words: int = 3,
                   min_confidence: float = 0.9) -> list[bool]:
    """Which statements are in another language than `language`, by py3langid (langid.py's model, shipped in
    the package: nothing is downloaded). Only statements of at least `min_words` words on which the model is at
    least `min_confidence` sure: a lone "Yeah." or "Filters." is too short to tell, and stays."""
    identifier = _language_identifier()
    found = []
    for text in texts:
        plain = PLACEHOLDER.sub(" ", for_models(text))
        if len(WORD.findall(plain)) < min_words:
            found.append(False)
            continue
        guess, confidence = identifier.classify(plain)
        found.append(guess != language and confidence >= min_confidence)
    return found


@lru_cache(maxsize=1)
def _language_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=4)
def foreign_stop_words(languages: tuple[str, ...] = OTHER_LANGUAGES, language: str = "en",
                       margin: float = 1.0) -> frozenset[str]:
    """Stop words of `languages` (spaCy's lists) that are not also words of `language`: those at least `margin`
    more frequent (Zipf scale, wordfreq) in their own language than in it. French "et", "du", "plus" go; "car",
    as common in English as in French, stays. Built once per machine (loading the frequency lists takes seconds)."""

    def build() -> dict[str, frozenset[str]]:
        from wordfreq import zipf_frequency

        found = set()
        for other in languages:
            words = importlib.import_module(f"spacy.lang.{other}.stop_words").STOP_WORDS
            found |= {w.lower() for w in words if zipf_frequency(w, other) - zipf_frequency(w, language) >= margin}
        return {"words": frozenset(found)}

    recipe = Path(__file__).read_bytes() + f"|{languages}|{language}|{margin}|{installed('wordfreq')}|" \
        f"{installed('spacy')}".encode()
    return cached_word_lists("foreign-stop-words", recipe, build)["words"]


def keyword_tokens(text: str, stop_words: frozenset[str]) -> list[str]:
    """A statement's words for keywords: lower case, without pseudonyms, `stop_words` or contractions, and a word
    said twice running said once ("data, the data", "thanks, thanks": spoken repetition, not a phrase).
    Contractions are kept whole, then dropped: "there's", "didn't", "we've" are function words (read with the
    apostrophe removed they became keywords, "theres", "didnt"). A possessive keeps its noun ("model's" -> "model"),
    a plural its singular ("interpreters", "families" -> "interpreter", "family": one theme's word, not two), and
    numbers said as words are dropped.
    """
    tokens: list[str] = []
    for word in WORD.findall(PLACEHOLDER.sub(" ", for_models(text)).lower()):
        if "'" in word:
            base, _, ending = word.partition("'")
            if ending != "s":
                continue
            word = base
        word = singular(word)
        if word not in stop_words and not NUMBER_WORD.fullmatch(word) and (not tokens or tokens[-1] != word):
            tokens.append(word)
    return tokens


def singular(word: str) -> str:
    """A regular English plural's singular ("families" -> "family", "caseloads" -> "caseload"); any other word as it
    is. A rule, not a dictionary: an irregular plural ("children") stays, and so does a word that only looks plural."""
    if _NOT_PLURAL.fullmatch(word) or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1]


# Talk is full of words that say nothing about a theme; without these, keywords read "yeah, think, actually".
SPOKEN_FILLERS = ("yeah", "yes", "erm", "um", "uh", "mm", "ok", "okay", "laughs", "really", "actually", "just",
                  "think", "know", "mean", "like", "sort", "kind", "bit", "lot", "thing", "things", "got", "going",
                  "thats", "didnt", "dont", "doesnt", "wasnt", "isnt", "im", "ive", "youre", "weve", "theyre", "id",
                  "hadnt", "wouldnt", "couldnt", "right", "say", "said", "honestly", "quite", "probably", "maybe",
                  "did", "does", "make", "way", "want", "need", "good", "time",
                  # spoken contractions, and the ends of contractions a transcript split off ("I' ll")
                  "dunno", "gonna", "wanna", "gotta", "kinda", "sorta", "lemme", "gimme", "cuz", "cause", "ll", "ve",
                  "re")


@lru_cache(maxsize=1)
def keyword_stop_words() -> frozenset[str]:
    """Words never drawn as keywords: English stop words (scikit-learn's and spaCy's), spoken fillers, replies and
    courtesies, and stop words of other languages that are not English words (`foreign_stop_words`)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS | STOP_WORDS | set(SPOKEN_FILLERS) | REPLIES | COURTESIES) | \
        foreign_stop_words(OTHER_LANGUAGES)
