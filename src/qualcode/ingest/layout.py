"""Lay a file's turns out as the source text qualcode stores, quotes from and counts offsets in."""

from __future__ import annotations

from dataclasses import dataclass, field

from qualcode.ingest.speakers import is_interviewer_label
from qualcode.models import INTERVIEWER_ROLE, UNKNOWN, ParsedFile, SourceMeta, Turn
from qualcode.text import collapse_whitespace


@dataclass
class _Block:
    speaker: str | None
    is_interviewer: bool
    timestamp: str | None
    words: list[str] = field(default_factory=list)


def lay_out(parsed: ParsedFile, meta: SourceMeta) -> tuple[str, tuple[Turn, ...]]:
    """Render one `Speaker: words` line per turn, joining consecutive fragments by the same speaker.

    Characters are kept as received; only layout whitespace inside a turn is tidied. Timestamps are kept on
    the turn, not in the text.
    """
    blocks: list[_Block] = []
    for raw in parsed.turns:
        words = collapse_whitespace(raw.text)
        if not words:
            continue
        speaker = raw.speaker
        interviewer = raw.is_question or is_interviewer_label(speaker, meta.interviewer) or (
            speaker is not None and meta.speaker(speaker).role == INTERVIEWER_ROLE)
        if interviewer and speaker is None:
            speaker = meta.interviewer or "Interviewer"
        last = blocks[-1] if blocks else None
        if (last is not None and speaker is not None and last.speaker is not None
                and last.speaker.casefold() == speaker.casefold() and last.is_interviewer == interviewer):
            last.words.append(words)
        else:
            blocks.append(_Block(speaker, interviewer, raw.timestamp, [words]))

    parts: list[str] = []
    turns: list[Turn] = []
    position = 0
    for index, block in enumerate(blocks):
        prefix = f"{block.speaker}: " if block.speaker else ""
        body = " ".join(block.words)
        start = position + len(prefix)
        turns.append(Turn(
            index=index,
            speaker=block.speaker,
            role=INTERVIEWER_ROLE if block.is_interviewer else meta.speaker(block.speaker).role,
            agency=_interviewer_agency(meta, block.speaker) if block.is_interviewer
            else meta.speaker(block.speaker).agency,
            is_interviewer=block.is_interviewer,
            start=start,
            end=start + len(body),
            timestamp=block.timestamp,
        ))
        line = f"{prefix}{body}\n"
        parts.append(line)
        position += len(line)
    return "".join(parts), tuple(turns)


def _interviewer_agency(meta: SourceMeta, speaker: str | None) -> str:
    named = speaker is not None and any(k.casefold() == speaker.casefold() for k in meta.speakers)
    return meta.speaker(speaker).agency if named else UNKNOWN
