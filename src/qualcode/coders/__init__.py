"""Coders: rules, embeddings, learning from human coding, valence, and the engine that combines them."""

from qualcode.coders.embedder import DEFAULT_EMBEDDING_MODEL, Embedder
from qualcode.coders.engine import CODING_COLUMNS, CodingEngine, EngineSettings

__all__ = ["CODING_COLUMNS", "DEFAULT_EMBEDDING_MODEL", "CodingEngine", "Embedder", "EngineSettings"]
