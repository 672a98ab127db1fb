"""Content hashes of model folders: a model is known by the bytes it loads, never by its name or path.

Two names (or two copies) of the same weights hash alike; a model changed in place hashes differently. Hashing
reads the files only (no model is loaded), and each file's hash is kept for the rest of the process, keyed by
its resolved path, size and modification time, so asking again costs one `stat` per file.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable
from pathlib import Path

_CHUNK = 1 << 20
_file_hashes: dict[tuple[str, int, int], str] = {}  # (resolved path, size, mtime_ns) -> sha256 of the bytes
_lock = threading.Lock()


def folder_files(folder: Path, patterns: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """The files under `folder` matching any of `patterns` (globs relative to it, `**` allowed) and none of
    `exclude` (file names), as sorted relative POSIX paths."""
    folder = Path(folder)
    skipped = set(exclude)
    found = {path.relative_to(folder).as_posix() for pattern in patterns for path in folder.glob(pattern)
             if path.is_file() and path.name not in skipped}
    return sorted(found)


def hash_file(path: Path) -> str:
    """sha256 of a file's bytes, remembered for this process while its size and modification time stay."""
    resolved = Path(path).resolve()
    status = os.stat(resolved)
    key = (str(resolved), status.st_size, status.st_mtime_ns)
    with _lock:
        known = _file_hashes.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(resolved, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    with _lock:
        _file_hashes[key] = digest.hexdigest()
    return digest.hexdigest()


def hash_folder(folder: Path | str, patterns: Iterable[str] = ("**/*",), exclude: Iterable[str] = ()) -> str:
    """sha256 over the files of `folder` that match `patterns` (see `folder_files`): each file's relative path
    and the hash of its bytes, in sorted order. Where the folder sits and what it is called do not count.

    Raises:
        FileNotFoundError: `folder` is not a folder, or no file in it matches.
    """
    folder, patterns = Path(folder), tuple(patterns)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    names = folder_files(folder, patterns, exclude)
    if not names:
        raise FileNotFoundError(f"{folder} holds none of the files {', '.join(patterns)}")
    digest = hashlib.sha256()
    for name in names:
        digest.update(f"{name}\0{hash_file(folder / name)}\n".encode())
    return digest.hexdigest()
