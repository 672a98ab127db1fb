"""Lay a file's turns out as the source text qualcode stores, quotes from and counts offsets in."""

from __future__ import annotations

from dataclasses import dataclass, field

from qualcode.ingest.speakers import is_interviewer_label
from qualcode.models import INTERVIEWER_ROLE, UNKNOWN, ParsedFile, SourceMeta, Turn
from qualcode.text import collapse_whitespace

HEADING_ROLE = "heading"  # a document's heading: laid out (and so anonymised and quotable) but never a statement
FURNITURE_ROLE = "page furniture"  # a running header or a page number: kept as text, never a statement or a section


@dataclass
class _Block:
    speaker: str | None
    is_interviewer: bool
    timestamp: str | None
    words: list[str] = field(default_factory=list)
    page: int | None = None
    section: str | None = None
    heading: bool = False
    furniture: bool = False

    @property
    def speaker_turn(self) -> bool:
        return not (self.heading or self.furniture)


def lay_out(parsed: ParsedFile, meta: SourceMeta) -> tuple[str, tuple[Turn, ...]]:
    """Render one `Speaker: words` line per turn, joining consecutive fragments by the same speaker.

    Characters are kept as received; only layout whitespace inside a turn is tidied. Timestamps are kept on
    the turn, not in the text. A document's headings are laid out as turns of their own, which are not statements
    (like an interviewer's): each paragraph after one carries it as its section.
    """
    blocks: list[_Block] = []
    section: str | None = None
    for raw in parsed.turns:
        words = collapse_whitespace(raw.text)
        if not words:
            continue
        if raw.is_heading or raw.is_furniture:
            section = section if raw.is_furniture else words
            blocks.append(_Block(None, True, None, [words], page=raw.page, section=section, heading=raw.is_heading,
                                 furniture=raw.is_furniture))
            continue
        speaker = raw.speaker
        interviewer = raw.is_question or is_interviewer_label(speaker, meta.interviewer) or (
            speaker is not None and meta.speaker(speaker).role == INTERVIEWER_ROLE)
        if interviewer and speaker is None:
            speaker = meta.interviewer or "Interviewer"
        last = blocks[-1] if blocks else None
        if (last is not None and speaker is not None and last.speaker is not None and last.speaker_turn
                and last.speaker.casefold() == speaker.casefold() and last.is_interviewer == interviewer):
            last.words.append(words)
        else:
            blocks.append(_Block(speaker, interviewer, raw.timestamp, [words], page=raw.page, section=section))

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
            role=HEADING_ROLE if block.heading else FURNITURE_ROLE if block.furniture
            else INTERVIEWER_ROLE if block.is_interviewer else meta.speaker(block.speaker).role,
            agency=meta.agency if not block.speaker_turn
            else _interviewer_agency(meta, block.speaker) if block.is_interviewer
            else meta.speaker(block.speaker).agency,
            is_interviewer=block.is_interviewer,
            start=start,
            end=start + len(body),
            timestamp=block.timestamp,
            page=block.page,
            section=block.section,
        ))
        line = f"{prefix}{body}\n"
        parts.append(line)
        position += len(line)
    return "".join(parts), tuple(turns)


def _interviewer_agency(meta: SourceMeta, speaker: str | None) -> str:
    named = speaker is not None and any(k.casefold() == speaker.casefold() for k in meta.speakers)
    return meta.speaker(speaker).agency if named else UNKNOWN
