"""Splitting speaker turns into statements: the unit that gets coded and quoted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.anonymise.entities import PLACEHOLDER
from qualcode.models import Segment, Source
from qualcode.text import normalise

if TYPE_CHECKING:
    from spacy.language import Language

Span = tuple[int, int]
# Where to cut an over-long sentence, best first: after a semicolon or colon, a comma, before a conjunction.
_CUTS = (re.compile(r"[;:]\s"), re.compile(r",\s"), re.compile(r"\s(?=(?:and|but|so|because|which)\s)"))


@dataclass(frozen=True)
class SegmentationSettings:
    """How statements are cut.

    Attributes:
        min_words: a sentence shorter than this ("Yes.", "Um.") is joined to its neighbour in the same turn;
            a turn that is only a short answer stays one statement.
        max_chars: longer statements are cut at the best clause boundary.
        include_interviewer: whether the interviewer's own turns become statements (context only by default).
    """

    min_words: int = 4
    max_chars: int = 600
    include_interviewer: bool = False


class Segmenter:
    """Cuts sources into statements with a spaCy sentence pipeline (injected, so tests can pass their own)."""

    def __init__(self, nlp: Language, settings: SegmentationSettings | None = None, batch_size: int = 64):
        self.nlp = nlp
        self.settings = settings or SegmentationSettings()
        self.batch_size = batch_size

    def segment(self, source: Source) -> list[Segment]:
        turns = [t for t in source.turns if self.settings.include_interviewer or not t.is_interviewer]
        bodies = (normalise(source.text[t.start:t.end]) for t in turns)
        docs = self.nlp.pipe(bodies, batch_size=self.batch_size)
        sentences = {turn.index: [(s.start_char, s.end_char) for s in doc.sents]
                     for turn, doc in zip(turns, docs, strict=True)}
        return list(_statements(source, sentences, self.settings))


def _statements(source: Source, sentences: dict[int, list[Span]],
                settings: SegmentationSettings) -> Iterator[Segment]:
    question: str | None = None
    index = 0
    for turn in source.turns:
        if turn.is_interviewer:
            question = source.text[turn.start:turn.end]
        if turn.index not in sentences:
            continue
        body = source.text[turn.start:turn.end]
        whole = _keep_placeholders_whole(sentences[turn.index], body)
        spans = _bound_length(_merge_short(whole, body, settings.min_words), body, settings.max_chars)
        for start, end in spans:
            begin, finish = turn.start + start, turn.start + end
            yield Segment(
                id=f"{source.id}:{index:04d}", source_id=source.id, index=index, turn_index=turn.index,
                speaker=turn.speaker, role=turn.role, agency=turn.agency, site=source.meta.site,
                source_type=source.meta.source_type, date=source.meta.date,
                question=None if turn.is_interviewer else question,
                start=begin, end=finish, text=source.text[begin:finish],
            )
            index += 1


def _keep_placeholders_whole(spans: list[Span], body: str) -> list[Span]:
    """Join two sentences the splitter divided inside a placeholder ("...care [" / "PERSON_1] was..."): a
    placeholder is one word, and half of one means nothing to a reader or a coder."""
    inside = {i for match in PLACEHOLDER.finditer(body) for i in range(match.start() + 1, match.end())}
    joined: list[Span] = []
    for start, end in spans:
        if joined and (joined[-1][1] in inside or start in inside):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _trim(span: Span, body: str) -> Span | None:
    start, end = span
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _merge_short(spans: list[Span], body: str, min_words: int) -> list[Span]:
    """Join sentences too short to stand alone onto the next one (or the previous, at the end)."""
    trimmed = [s for s in (_trim(span, body) for span in spans) if s is not None]
    merged: list[Span] = []
    pending: int | None = None
    for start, end in trimmed:
        if pending is not None:
            start, pending = pending, None
        if len(body[start:end].split()) < min_words:
            pending = start
            continue
        merged.append((start, end))
    if pending is not None:
        last_end = trimmed[-1][1]
        if merged:
            merged[-1] = (merged[-1][0], last_end)
        else:
            merged.append((pending, last_end))
    return merged


def _bound_length(spans: list[Span], body: str, max_chars: int) -> list[Span]:
    bounded: list[Span] = []
    for start, end in spans:
        while end - start > max_chars:
            cut = _best_cut(body, start, start + max_chars, floor=start + max_chars // 3)
            piece = _trim((start, cut), body)
            if piece is not None:
                bounded.append(piece)
            start = cut
            while start < end and body[start].isspace():
                start += 1
        if start < end:
            bounded.append((start, end))
    return bounded


def _best_cut(body: str, start: int, limit: int, floor: int) -> int:
    window = body[floor:limit]
    for pattern in _CUTS:
        matches = list(pattern.finditer(window))
        if matches:
            return floor + matches[-1].end()
    space = body.rfind(" ", floor, limit)
    return space + 1 if space > floor else limit
