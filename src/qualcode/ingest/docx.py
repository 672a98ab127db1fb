"""Word files: transcripts (`Name:` prefixes start turns; paragraphs in a Question style are the interviewer's) and
documents (no speakers: each paragraph, list item and table row is a turn, under the heading of its section)."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import docx
from docx.document import Document as DocumentObject
from docx.oxml.xmlchemy import BaseOxmlElement

from qualcode.errors import CorruptDocument
from qualcode.ingest.speakers import is_interviewer_label, split_label, trusted_labels
from qualcode.models import DOCUMENT, ParsedFile, RawTurn

QUESTION_STYLES = frozenset({"question", "interviewer", "interviewer question"})
SKIPPED_STYLE_PREFIXES = ("title", "subtitle", "toc")
HEADING_STYLE_PREFIX = "heading"
TABLE_ROW, CELL = "table row", "\t"  # a row's cells, joined: `speaker: words` in a transcript, `a | b` in a document


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Text boxes come twice (DrawingML and, for old Word, a VML copy in mc:Fallback); deleted text is w:delText.
TEXT_XPATH = ".//w:t[not(ancestor::*[local-name()='Fallback'])]"


def read_docx(path: Path, data: bytes) -> ParsedFile:
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = _paragraphs(document)
    except Exception:  # python-docx raises zipfile, KeyError and lxml errors for damaged files
        raise CorruptDocument("The Word document cannot be opened.", path=path) from None

    kept = [(n, style.casefold(), text) for n, (style, text) in enumerate(paragraphs, start=1)
            if text.strip() and not style.casefold().startswith(SKIPPED_STYLE_PREFIXES)]
    if _is_document(kept):
        return _document(kept)
    kept = [(n, style, _row(text, ": ", " ") if style == TABLE_ROW else text) for n, style, text in kept]
    splits = {n: split_label(text) for n, _, text in kept}
    trusted = trusted_labels([label for label, _, _ in splits.values() if label])

    turns: list[RawTurn] = []
    for number, style, text in kept:
        if style.startswith(HEADING_STYLE_PREFIX):
            continue  # a transcript's headings are its furniture
        label, rest, stamp = splits[number]
        has_label = label is not None and label.casefold() in trusted
        words = rest if has_label else text
        if style in QUESTION_STYLES:
            turns.append(RawTurn(speaker=label if has_label else None, text=words, line=number,
                                 timestamp=stamp, is_question=True))
        elif has_label or not turns or turns[-1].is_question:
            turns.append(RawTurn(speaker=label if has_label else None, text=words, line=number, timestamp=stamp))
        else:
            last = turns[-1]
            turns[-1] = RawTurn(speaker=last.speaker, text=f"{last.text}\n{words}", line=last.line,
                                timestamp=last.timestamp)
    return ParsedFile(format="docx", turns=turns)


def _is_document(kept: list[tuple[int, str, str]]) -> bool:
    """A Word file whose paragraphs are its author's, not speakers' turns: one with no `Name:` paragraph, or one
    with headings where no label is the interviewer's and none recurs (a report's "Date:" line or a table's
    "Priority:" row is not a speaker; a transcript's speakers come back). A Question style says it is an interview."""
    if any(style in QUESTION_STYLES for _, style, _ in kept):
        return False
    splits = [split_label(_row(text, ": ", " ") if style == TABLE_ROW else text) for _, style, text in kept]
    trusted = trusted_labels([label for label, _, _ in splits if label])
    used = Counter(label.casefold() for label, _, _ in splits if label and label.casefold() in trusted)
    if not used:
        return True
    headed = any(style.startswith(HEADING_STYLE_PREFIX) for _, style, _ in kept)
    return headed and max(used.values()) < 2 and not any(is_interviewer_label(label, None) for label in used)


def _row(text: str, first: str, rest: str) -> str:
    cells = text.split(CELL)
    return f"{cells[0]}{first}{rest.join(cells[1:])}" if len(cells) > 1 else cells[0]


def _document(kept: list[tuple[int, str, str]]) -> ParsedFile:
    """A Word file without speakers: a report, a self-evaluation, minutes. Headings give each paragraph its
    section; with any heading, the file says it is a document."""
    turns = [RawTurn(speaker=None, text=_row(text, " | ", " | ") if style == TABLE_ROW else text, line=number,
                     is_heading=style.startswith(HEADING_STYLE_PREFIX)) for number, style, text in kept]
    headed = any(turn.is_heading for turn in turns)
    return ParsedFile(format="docx", turns=turns, source_type=DOCUMENT if headed else None)


def _paragraphs(document: DocumentObject) -> list[tuple[str, str]]:
    """(style, text) of everything a person reads, in order: the page header once, then the body's paragraphs
    and tables (a row becomes `cell: cell ...`, so a `speaker | words` table reads as a transcript), with text
    boxes and tracked insertions, without tracked deletions."""
    headers: list[tuple[str, str]] = []
    for section in document.sections:
        for paragraph in section.header.paragraphs:
            entry = ("header", _text(paragraph._p))
            if entry[1].strip() and entry not in headers:
                headers.append(entry)
    styles = {p._p: (p.style.name if p.style is not None else "") for p in document.paragraphs}
    body: list[tuple[str, str]] = []
    for block in document.element.body.iterchildren():
        if block.tag == f"{W}p":
            body.append((styles.get(block, ""), _text(block)))
        elif block.tag == f"{W}tbl":
            for row in block.iterchildren(f"{W}tr"):
                cells = [" ".join(_text(p) for p in cell.iter(f"{W}p")).strip() for cell in row.iterchildren(f"{W}tc")]
                cells = [c for c in cells if c]
                if cells:
                    body.append((TABLE_ROW, CELL.join(cells)))
    return headers + body


def _text(element: BaseOxmlElement) -> str:
    return "".join(str(t.text or "") for t in element.xpath(TEXT_XPATH))
