"""Word transcripts: `Name:` prefixes start turns; paragraphs in a Question style are the interviewer's."""

from __future__ import annotations

import io
from pathlib import Path

import docx

from qualcode.errors import CorruptDocument
from qualcode.ingest.speakers import split_label, trusted_labels
from qualcode.models import ParsedFile, RawTurn

QUESTION_STYLES = frozenset({"question", "interviewer", "interviewer question"})
SKIPPED_STYLE_PREFIXES = ("heading", "title", "subtitle", "toc")


def read_docx(path: Path, data: bytes) -> ParsedFile:
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = [(p.style.name if p.style is not None else "", p.text) for p in document.paragraphs]
    except Exception:  # python-docx raises zipfile, KeyError and lxml errors for damaged files
        raise CorruptDocument("The Word document cannot be opened.", path=path) from None

    kept = [(n, style.casefold(), text) for n, (style, text) in enumerate(paragraphs, start=1)
            if text.strip() and not style.casefold().startswith(SKIPPED_STYLE_PREFIXES)]
    splits = {n: split_label(text) for n, _, text in kept}
    trusted = trusted_labels([label for label, _, _ in splits.values() if label])

    turns: list[RawTurn] = []
    for number, style, text in kept:
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
