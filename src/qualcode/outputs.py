"""Writing an output folder whole: built aside, then swapped in, so a failure never leaves half of one."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_folder(target: Path, write: Callable[[Path], None]) -> Path:
    """Call `write(staging)` to fill a new folder beside `target`, then replace `target` with it."""
    target.parent.mkdir(parents=True, exist_ok=True)
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
