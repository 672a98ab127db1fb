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
