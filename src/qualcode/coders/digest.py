"""What identifies a coding: a digest of everything that changes it.

A codebook's `version` is written by people and is not bumped when a definition or an example is edited, or when
the model, backend, thresholds, weights or spaCy pipeline change. The digest is: the codebook's content, every
coding setting (and the release's coding method), what people's decisions taught the engine, and the identity of
each model's weights (their content, not their name or path). Statements without a coding of the current digest
are stale and are recoded; reports say when a corpus holds more than one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING

from qualcode.codebook import Codebook

if TYPE_CHECKING:
    from qualcode.coders.engine import CodingEngine
    from qualcode.coders.settings import EngineSettings

# How qualcode itself codes: raised when a release changes what a coding holds or how it is computed (2: each
# valence carries its confidence), so projects coded by an older release are recoded rather than misread.
CODING_METHOD = 2
TOP_K = 3  # best codes kept per statement even when not assigned: what a reviewer is offered
DIGEST_CHARS = 16  # 64 bits: no two codings of one project collide by chance


def coding_digest(codebook: Codebook, settings: Mapping[str, object], models: Mapping[str, str]) -> str:
    """The identity of coding with this codebook content, these settings and these models' weights."""
    payload = {"codebook": codebook.model_dump(mode="json"), "settings": dict(settings), "models": dict(models)}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def coding_settings(settings: EngineSettings, random_state: int, top_k: int, taught: str = "") -> dict[str, object]:
    """The settings that change a coding, as the digest reads them; `taught`, the `teaching_digest` of what
    people's decisions taught the engine (none: '')."""
    return {**asdict(settings), "random_state": random_state, "top_k": top_k, "method": CODING_METHOD,
            **({"taught": taught} if taught else {})}


def engine_digest(engine: CodingEngine, top_k: int = TOP_K) -> str:
    """The digest of the codings `engine` gives (fitted or not): its codebook, settings, what it was taught and
    its models."""
    from qualcode.nlp import pipeline_identity

    settings = coding_settings(engine.effective_settings(), engine.random_state, top_k,
                               getattr(engine, "teaching_", ""))
    return coding_digest(engine.codebook, settings,
                         {"embedding": engine.embedder.identity, "spacy": pipeline_identity(engine.nlp)})
