"""Coders: rules, embeddings, learning from human coding, valence, and the engine that combines them.

Loaded on first use, so reading a project's settings (which name an embedding backend) loads no model library.
"""

from typing import TYPE_CHECKING

from qualcode.lazy import lazy_attributes

_LAZY = {
    **dict.fromkeys(("DEFAULT_EMBEDDING_MODEL", "Embedder"), "qualcode.coders.embedder"),
    **dict.fromkeys(("CODING_COLUMNS", "CodingEngine"), "qualcode.coders.engine"),
    "EngineSettings": "qualcode.coders.settings",
}

if TYPE_CHECKING:
    from qualcode.coders.embedder import DEFAULT_EMBEDDING_MODEL, Embedder
    from qualcode.coders.engine import CODING_COLUMNS, CodingEngine
    from qualcode.coders.settings import EngineSettings


__getattr__ = lazy_attributes(__name__, _LAZY)

__all__ = ["CODING_COLUMNS", "DEFAULT_EMBEDDING_MODEL", "CodingEngine", "Embedder", "EngineSettings"]
