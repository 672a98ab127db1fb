"""Embedding backends, one class each behind `BaseEmbedder`, chosen by name from `EMBEDDING_BACKENDS`."""

from qualcode.coders.backends.base import BaseEmbedder
from qualcode.coders.backends.int8 import Int8Backend
from qualcode.coders.backends.static import StaticBackend
from qualcode.coders.backends.transformer import TransformerBackend

EMBEDDING_BACKENDS: dict[str, type[BaseEmbedder]] = {
    TransformerBackend.name: TransformerBackend,
    Int8Backend.name: Int8Backend,
    StaticBackend.name: StaticBackend,
}


def backend_class(name: str) -> type[BaseEmbedder]:
    """The backend registered as `name`.

    Raises:
        ValueError: no backend has that name (the message names those that do).
    """
    try:
        return EMBEDDING_BACKENDS[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown embedding backend {name!r}: use one of {', '.join(EMBEDDING_BACKENDS)}."
                         ) from None


__all__ = ["EMBEDDING_BACKENDS", "BaseEmbedder", "Int8Backend", "StaticBackend", "TransformerBackend", "backend_class"]
