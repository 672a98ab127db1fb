"""Coders: rules, embeddings, learning from human coding, valence, and the engine that combines them.

Loaded on first use, so reading a project's settings (which name an embedding backend) loads no model library.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

_LAZY = {
    **dict.fromkeys(("DEFAULT_EMBEDDING_MODEL", "Embedder"), "qualcode.coders.embedder"),
    **dict.fromkeys(("CODING_COLUMNS", "CodingEngine", "EngineSettings"), "qualcode.coders.engine"),
}

if TYPE_CHECKING:
    from qualcode.coders.embedder import DEFAULT_EMBEDDING_MODEL, Embedder
    from qualcode.coders.engine import CODING_COLUMNS, CodingEngine, EngineSettings


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qualcode.coders' has no attribute {name!r}")


__all__ = ["CODING_COLUMNS", "DEFAULT_EMBEDDING_MODEL", "CodingEngine", "Embedder", "EngineSettings"]
