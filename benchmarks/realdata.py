"""Where the real material lives: `../shared/realdata/` beside the checkout (written by other people; never copied
into this repository), or the folder named by QUALCODE_REALDATA."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def realdata_dir() -> Path | None:
    """The real-material folder, or None (with the reason printed by the caller) when it is not there."""
    folder = Path(os.environ.get("QUALCODE_REALDATA", REPO.parent / "shared" / "realdata"))
    return folder if folder.is_dir() else None


def real_interviews() -> list[Path]:
    """The real auto-transcribed interviews (Côté et al., "Quality issues in Machine Learning Software Systems",
    replication package poclecoqq/quality_issues_in_MLSSs): cite the paper wherever a figure on them is shown."""
    folder = realdata_dir()
    return sorted((folder / "interviews").glob("*.txt")) if folder is not None else []
