"""The user's qualcode cache (`$XDG_CACHE_HOME/qualcode`, else `~/.cache/qualcode`): what this machine builds once
and every project reuses (models built from installed weights, word lists, the codebooks' vectors). Never a
project's text: anything kept here may be deleted at any time and is rebuilt."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qualcode"
