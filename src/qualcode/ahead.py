"""Results computed ahead in another process and handed to the one that would otherwise compute them (ingest's
workers find spans and sentences ahead of the one process that writes: `qualcode.workspace.ingest_workers`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ComputedAhead(Generic[T]):
    """A pure computation whose results may come from elsewhere, by a key of its exact input: results given in
    `known` are used once instead of computing them, and with `recording` on, every result computed is kept there
    for the taking. With neither, no key is made."""

    def __init__(self) -> None:
        self.known: dict[str, T] = {}
        self.recording: dict[str, T] | None = None

    def ahead(self, key: Callable[[], str], compute: Callable[[], T]) -> T:
        """`compute()`, unless `known` holds its result under `key()`."""
        if not self.known and self.recording is None:
            return compute()
        name = key()
        if name in self.known:
            return self.known.pop(name)
        found = compute()
        if self.recording is not None:
            self.recording[name] = found
        return found
