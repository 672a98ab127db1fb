"""The user's qualcode cache (`$XDG_CACHE_HOME/qualcode`, else `~/.cache/qualcode`): what this machine builds once
and every project reuses (models built from installed weights, word lists, the codebooks' vectors). Never a
project's text: anything kept here may be deleted at any time and is rebuilt."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def user_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qualcode"


def installed(package: str) -> str:
    """An installed package's version ('-' if it is not installed): part of what a cached list is built from."""
    try:
        return version(package)
    except PackageNotFoundError:
        return "-"


def cached_word_lists(name: str, recipe: bytes, build: Callable[[], dict[str, frozenset[str]]]
                      ) -> dict[str, frozenset[str]]:
    """Word lists built once per machine and `recipe` (what they are built from: the code and its sources'
    versions, so an upgrade rebuilds them), then read from the user's cache as JSON. Public word lists only."""
    path = user_cache_dir() / f"{name}-{hashlib.sha256(recipe).hexdigest()[:16]}.json"
    try:
        return {key: frozenset(words) for key, words in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, TypeError, AttributeError):
        pass
    built = build()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        staged.write_text(json.dumps({key: sorted(words) for key, words in built.items()}), encoding="utf-8")
        os.replace(staged, path)
    except OSError:
        pass  # a read-only home: build them again next time
    return built
