"""Finding `Speaker: words` labels, shared by the plain-text, Word and subtitle readers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from qualcode.ingest.timestamps import canonical_timestamp

# An optional [hh:mm:ss] stamp, then a label of up to 40 characters, then a colon and the words.
# A timestamp before the label, in brackets ("[00:01:10]", "[1:10]") or bare with hours ("00:01:10 ruth:").
_TIMESTAMP = (r"(?:\[(?P<ts>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\]\s*"
              r"|(?P<bare>\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?)\s+)")
LABEL = re.compile(
    rf"^\s*{_TIMESTAMP}?"
    r"(?:\*\*)?(?P<label>[^\W\d_][\w .'’()&/-]{0,39}?)\s*(?:\*\*)?:(?:\*\*)?(?:\s+|$)(?P<rest>.*)$",
    re.DOTALL,
)
STAMP = re.compile(rf"^\s*{_TIMESTAMP}(?P<rest>.*)$", re.DOTALL)

# Labels that always mean the person asking the questions.
INTERVIEWER_LABELS = frozenset({
    "interviewer", "researcher", "facilitator", "moderator", "q", "question", "questionnaire", "reviewer",
    "i", "int", "iv", "ivr",
})
_NUMBERED_INTERVIEWER = re.compile(r"^(?:interviewer|researcher|facilitator|moderator)\s*\d+$", re.IGNORECASE)
MAX_LABEL_WORDS = 5


def split_label(line: str) -> tuple[str | None, str, str | None]:
    """Split a line into (speaker label or None, the words, timestamp or None); the timestamp is canonical."""
    match = LABEL.match(line)
    if match and len(match.group("label").split()) <= MAX_LABEL_WORDS:
        return match.group("label").strip(), match.group("rest"), _stamp(match.group("ts") or match.group("bare"))
    stamp = STAMP.match(line)
    if stamp:
        return None, stamp.group("rest"), _stamp(stamp.group("ts") or stamp.group("bare"))
    return None, line, None


def _stamp(text: str | None) -> str | None:
    return None if text is None else canonical_timestamp(text)


def trusted_labels(candidates: Iterable[str], known: Iterable[str] = ()) -> set[str]:
    """Which candidate labels are speakers, not a sentence that happens to contain a colon.

    A label counts when it is known (metadata, interviewer words), is used twice or more, or is short
    (three words or fewer, like `Head of Service`). Compared case-insensitively.
    """
    counts = Counter(c.casefold() for c in candidates)
    known_folded = {k.casefold() for k in known} | INTERVIEWER_LABELS
    return {label for label, n in counts.items()
            if label in known_folded or n >= 2 or len(label.split()) <= 3}


def is_interviewer_label(label: str | None, interviewer: str | None) -> bool:
    if label is None:
        return False
    folded = label.casefold()
    return (folded in INTERVIEWER_LABELS or bool(_NUMBERED_INTERVIEWER.match(folded))
            or (interviewer is not None and folded == interviewer.casefold()))
