"""Embeddings kept on disk, keyed by model and a hash of the text: recoding never embeds the same text twice.

The model key is the model's identity, a hash of its weights (`Embedder.identity`), not its name or path: two
names of one model share vectors, and a model changed where it lies never reuses the old model's vectors.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    model     TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    vector    BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID
"""
_CHUNK = 500  # SQLite's limit on bound parameters is well above this


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """A SQLite file of float32 vectors. Safe to share between processes (WAL, waits on a busy writer): Dask
    workers coding in parallel all read and fill the same cache. Holds vectors only, never text.

    `model` in every method is the key of one model's vectors: `Embedder.identity`.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(_SCHEMA)
        return db

    def get(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        db = self._connect()
        try:
            for start in range(0, len(hashes), _CHUNK):
                chunk = list(hashes[start:start + _CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = db.execute("SELECT text_hash, vector FROM embeddings "
                                  f"WHERE model = ? AND text_hash IN ({marks})", [model, *chunk])
                found.update((h, np.frombuffer(v, dtype=np.float32)) for h, v in rows)
        finally:
            db.close()
        return found

    def put(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        db = self._connect()
        try:
            with db:
                db.executemany("INSERT OR IGNORE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)",
                               [(model, h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()])
        finally:
            db.close()

    def count(self, model: str | None = None) -> int:
        db = self._connect()
        try:
            query, params = ("SELECT COUNT(*) FROM embeddings", ()) if model is None else (
                "SELECT COUNT(*) FROM embeddings WHERE model = ?", (model,))
            return int(db.execute(query, params).fetchone()[0])
        finally:
            db.close()
