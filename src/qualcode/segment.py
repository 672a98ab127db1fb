"""Splitting speaker turns into statements: the unit that gets coded and quoted."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.ahead import ComputedAhead
from qualcode.anonymise.entities import PLACEHOLDER
from qualcode.ingest.layout import FURNITURE_ROLE, HEADING_ROLE
from qualcode.models import Segment, Source
from qualcode.text import normalise

if TYPE_CHECKING:
    from spacy.language import Language

Span = tuple[int, int]
NOT_SAID = frozenset({HEADING_ROLE, FURNITURE_ROLE})  # a document's headings and page furniture: never statements
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


Sentences = list[list[Span]]  # per segmented turn, in the offsets of its placeholder-blind view (`blind`)


class Segmenter(ComputedAhead[Sentences]):
    """Cuts sources into statements with a spaCy sentence pipeline (injected, so tests can pass their own).

    The sentence model reads each turn with its placeholders blind to their numbers (`[PERSON]` for
    `[PERSON_12]`, see `blind`): a turn's sentences then depend on its words alone, not on how many names the
    project had met before it, so they may be found ahead in another process by a gate with its own numbering
    (`qualcode.workspace.ingest_workers`, `qualcode.ahead`), and are used for exactly the same view.
    """

    def __init__(self, nlp: Language, settings: SegmentationSettings | None = None, batch_size: int = 64):
        self.nlp = nlp
        self.settings = settings or SegmentationSettings()
        self.batch_size = batch_size
        super().__init__()

    def segment(self, source: Source) -> list[Segment]:
        return list(_statements(source, self.sentences(source), self.settings))

    def sentences(self, source: Source) -> dict[int, list[Span]]:
        """Each segmented turn's sentences, by turn index, in offsets of the turn's own text."""
        turns = [t for t in source.turns if (self.settings.include_interviewer or not t.is_interviewer)
                 and t.role not in NOT_SAID]
        bodies = [normalise(source.text[t.start:t.end]) for t in turns]
        views = [blind(body) for body in bodies]

        def key() -> str:
            model = f"{self.nlp.meta.get('name')}-{self.nlp.meta.get('version')}:{','.join(self.nlp.pipe_names)}"
            return hashlib.sha256("\x00".join([model, *(view for view, _ in views)]).encode("utf-8")).hexdigest()

        def compute() -> Sentences:
            docs = self.nlp.pipe((view for view, _ in views), batch_size=self.batch_size)
            return [[(s.start_char, s.end_char) for s in doc.sents] for doc in docs]

        found = self.ahead(key, compute)
        return {turn.index: [(seen(start), seen(end)) for start, end in spans]
                for turn, (_, seen), spans in zip(turns, views, found, strict=True)}


def blind(text: str) -> tuple[str, _Offsets]:
    """`text` with each placeholder's number taken out (`[PERSON_12]` -> `[PERSON]`), and the map from the view's
    offsets back to `text`'s (an offset inside a shortened placeholder maps inside the original one)."""
    pieces: list[str] = []
    anchors: list[tuple[int, int, int, int]] = []  # a placeholder's (view start, view length, text start, text end)
    last = shift = 0
    for match in PLACEHOLDER.finditer(text):
        short = match.group(0).rsplit("_", 1)[0] + "]"
        pieces += [text[last:match.start()], short]
        anchors.append((match.start() - shift, len(short), match.start(), match.end()))
        shift += len(match.group(0)) - len(short)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces), _Offsets(anchors)


class _Offsets:
    """Maps an offset in a placeholder-blind view back to the text it was made from."""

    def __init__(self, anchors: list[tuple[int, int, int, int]]) -> None:
        self._anchors = anchors
        self._starts = [view for view, _, _, _ in anchors]

    def __call__(self, offset: int) -> int:
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            return offset
        view, length, start, end = self._anchors[i]
        if offset < view + length:  # inside the shortened placeholder: inside the original one
            return start + min(offset - view, end - start - 1)
        return end + offset - (view + length)


def _statements(source: Source, sentences: dict[int, list[Span]],
                settings: SegmentationSettings) -> Iterator[Segment]:
    question: str | None = None
    index = 0
    for turn in source.turns:
        if turn.is_interviewer and turn.role != FURNITURE_ROLE:  # a document's heading is its paragraphs' question
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
                start=begin, end=finish, text=source.text[begin:finish], page=turn.page, section=turn.section,
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
