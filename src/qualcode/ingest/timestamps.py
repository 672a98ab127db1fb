"""Turn timestamps as qualcode keeps them: a validated shape, never text copied from a file.

A timestamp is stored only when it reads plainly as a time: an offset into a recording (`[00:01:02]`, `1:02`,
`00:01:02.500`, `62` seconds) becomes `HH:MM:SS`; a moment (`2026-03-09T10:15:00`, `2026-03-09 10:15`) becomes
ISO 8601 to the second. Anything else is dropped, and the caller says so without repeating it.
"""

from __future__ import annotations

import datetime as dt
import math
import re

_CLOCK = re.compile(r"(?:(?P<h>\d{1,3}):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:[.,]\d{1,6})?")
_SECONDS = re.compile(r"\d{1,6}(?:\.\d{1,6})?")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?")


def canonical_timestamp(value: object) -> str | None:
    """`HH:MM:SS` for an offset, ISO 8601 (seconds) for a date and time, None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _offset(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    clock = _CLOCK.fullmatch(text)
    if clock is not None:
        hours, minutes, seconds = int(clock.group("h") or 0), int(clock.group("m")), int(clock.group("s"))
        if seconds >= 60 or (clock.group("h") is not None and minutes >= 60):
            return None
        return _offset(hours * 3600 + minutes * 60 + seconds)
    if _SECONDS.fullmatch(text):
        return _offset(float(text))
    if _MOMENT.fullmatch(text):
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment.isoformat(timespec="seconds")
    return None


def _offset(seconds: float) -> str | None:
    if not math.isfinite(seconds) or seconds < 0 or seconds >= 1000 * 3600:
        return None
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
