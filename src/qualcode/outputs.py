"""Writing an output folder whole: built aside, then swapped in, so a failure never leaves half of one."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import pandas as pd

# what `write_folder` leaves beside its target while it works: `.NAME-xxxxxxxx` (tempfile's) and `.NAME.old`
STAGING = re.compile(r"^\..+(-[a-z0-9_]{8}|\.old)$")


def write_folder(target: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(staging)` to fill a new folder beside `target`, then replace `target` with it. Callers hold
    the project lock, so any staging folder already there was left by a run that was killed: it may hold quotes,
    so it is swept first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep_staging(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    old = target.with_name(f".{target.name}.old")
    try:
        write(staging)
        if old.exists() and target.exists():
            shutil.rmtree(old)  # a leftover from an earlier failure; the target is the good copy
        if target.exists():
            target.rename(old)
        staging.rename(target)
    except BaseException:
        if old.exists() and not target.exists():
            old.rename(target)  # put the last good folder back
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return target


def sweep_staging(folder: Path) -> list[str]:
    """Remove what killed runs left beside their outputs in `folder`; returns the names removed. A last good
    folder set aside (`.NAME.old`) whose replacement never arrived is put back, not removed."""
    left = [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and STAGING.match(p.name)]
    removed = []
    for path in left:
        original = path.with_name(path.name[1:-len(".old")]) if path.name.endswith(".old") else None
        if original is not None and not original.exists():
            path.rename(original)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return sorted(removed)


# A spreadsheet opening a CSV runs a cell that starts like a formula; OWASP's advice: make it text with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made text ('=SUM(A1)' -> "'=SUM(A1)"); others as they are."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def unescape_cell(value: str) -> str:
    """A cell as it was before `safe_cell`, for the CSVs qualcode reads back."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def write_csv(frame: pd.DataFrame, target: Path | TextIO, *, index: bool = False) -> None:
    """Every CSV qualcode writes for people: text cells that a spreadsheet would run are escaped."""
    text = frame.select_dtypes(include=["object", "string"]).columns
    safe = frame.copy()
    for column in text:
        safe[column] = safe[column].map(safe_cell)
    if index and safe.index.dtype == object:
        safe.index = safe.index.map(safe_cell)
    safe.to_csv(target, index=index)
