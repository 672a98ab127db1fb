"""The data that flows between stages: metadata, turns, sources and segments.

Offsets are Unicode code-point offsets into `Source.text`, the transcript as qualcode stores it, so any quote
can be shown in context and exported to other tools (REFI-QDA counts code points too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SiteType = Literal["unitary", "city", "london_borough", "county", "unknown"]
SourceType = Literal[
    "interview", "focus_group", "interviewer_notes", "questionnaire", "case_file_mapping", "document", "unknown"
]
UNKNOWN = "unknown"
INTERVIEWER_ROLE = "interviewer"
DOCUMENT = "document"  # what an organisation wrote (a self-evaluation, minutes): beside the voices, never among them


class SpeakerMeta(BaseModel):
    """Role and agency of one speaker label in a source (focus groups, joint interviews)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: str = UNKNOWN
    agency: str = UNKNOWN


class SourceMeta(BaseModel):
    """Who said it, where and when: from front matter, a manifest row, or defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    site: str = UNKNOWN
    site_type: SiteType = "unknown"
    role: str = UNKNOWN
    agency: str = UNKNOWN
    source_type: SourceType = "unknown"
    date: dt.date | None = None
    interviewer: str | None = None
    speakers: dict[str, SpeakerMeta] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id_is_usable(cls, value: str) -> str:
        value = value.strip()
        if not value or any(ch in value for ch in "/\\\n\t"):
            raise ValueError("id must be non-empty and contain no slashes, tabs or newlines")
        return value

    @field_validator("role", "agency", "site")
    @classmethod
    def _tidy_label(cls, value: str) -> str:
        return " ".join(value.split()) or UNKNOWN

    def speaker(self, label: str | None) -> SpeakerMeta:
        """Role and agency for a speaker label, falling back to the source's own."""
        if label is not None:
            wanted = label.casefold()
            for name, meta in self.speakers.items():
                if name.casefold() == wanted:
                    return meta
        return SpeakerMeta(role=self.role, agency=self.agency)


@dataclass(frozen=True)
class RawTurn:
    """What a reader found: one speaker's words before qualcode lays out the source text.

    `line` is where the turn starts in the file (1-based), for messages; `is_question` marks turns that
    the file itself says are the interviewer's (a docx `Question` style, a questionnaire's question);
    `timestamp` is canonical (`HH:MM:SS`, or ISO 8601 for a moment) or None: never text from the file. A document's
    paragraphs carry the `page` they start on; its headings (`is_heading`) are not statements but say which section
    the paragraphs after them belong to; its page furniture (`is_furniture`: a running header, a page number) is kept
    as text but is neither.
    """

    speaker: str | None
    text: str
    line: int | None = None
    timestamp: str | None = None
    is_question: bool = False
    page: int | None = None
    is_heading: bool = False
    is_furniture: bool = False


@dataclass(frozen=True)
class ParsedFile:
    """A reader's output: turns plus any metadata the file carried itself.

    `warnings` say what the reader dropped (a timestamp that is not a time, a speaker that is not a label), by
    position and never by content: they reach logs and reports.
    """

    format: str
    turns: list[RawTurn]
    metadata: dict[str, object] | None = None
    encoding: str | None = None
    speakers: dict[str, SpeakerMeta] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    source_type: str | None = None  # what the file's own layout says it is (a PDF or a Word report: "document")


@dataclass(frozen=True)
class Turn:
    """One speaker turn in a source; `start`/`end` delimit its words (not the label) in `Source.text`. In a document a
    turn is a paragraph, with the page it starts on and the heading of its section (as the gate left it)."""

    index: int
    speaker: str | None
    role: str
    agency: str
    is_interviewer: bool
    start: int
    end: int
    timestamp: str | None = None
    page: int | None = None
    section: str | None = None


@dataclass(frozen=True)
class Source:
    """One ingested file, laid out as the text qualcode stores and quotes from."""

    meta: SourceMeta
    path: str
    content_hash: str
    format: str
    encoding: str | None
    text: str
    turns: tuple[Turn, ...]
    redactions: tuple[tuple[str, str, int], ...] = ()  # (kind, placeholder, count): never the values

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass(frozen=True)
class Segment:
    """A statement: the unit that gets coded. `text == source.text[start:end]`, always."""

    id: str
    source_id: str
    index: int
    turn_index: int
    speaker: str | None
    role: str
    agency: str
    site: str
    source_type: str
    date: dt.date | None
    question: str | None
    start: int
    end: int
    text: str
    page: int | None = None
    section: str | None = None

