"""Where the bundled sample corpora are: inside the wheel, or in the source checkout."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import SamplesNotFound

PRE_REVIEW = "pre-review"  # the sample week's documents and data from before the week (they come with night one)


def samples_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_samples", here.parents[1] / "corpora" / "samples"):
        if (candidate / "review_week").is_dir():
            return candidate
    raise SamplesNotFound("The bundled sample corpora are not installed with this copy of qualcode.")


def week_nights(week: Path) -> list[list[Path]]:
    """A review week's folders as its nights take them: each day's folder (`day1`, `day2`, ...), the documents and
    data read before the week (`pre-review/`, where there is one) with the first."""
    days = sorted(p for p in week.iterdir() if p.is_dir() and p.name.startswith("day"))
    before = [week / PRE_REVIEW] if (week / PRE_REVIEW).is_dir() else []
    return [[*before, days[0]], *([day] for day in days[1:])] if days else []
