"""Plain-text and Markdown transcripts: `Speaker: words` lines, optional [hh:mm:ss] stamps, front matter."""

from __future__ import annotations

from pathlib import Path

from qualcode.ingest.metadata import declared_labels, split_front_matter
from qualcode.ingest.speakers import INTERVIEWER_LABELS, split_label, trusted_labels
from qualcode.models import ParsedFile, RawTurn
from qualcode.text import decode


def read_plaintext(path: Path, data: bytes) -> ParsedFile:
    return _read_lines(path, data, fmt="text")


def read_markdown(path: Path, data: bytes) -> ParsedFile:
    return _read_lines(path, data, fmt="markdown")


def _read_lines(path: Path, data: bytes, *, fmt: str) -> ParsedFile:
    text, encoding = decode(data, path)
    warnings: list[str] = []
    front, body, skipped = split_front_matter(text, path, warnings)
    lines = body.splitlines()
    if fmt == "markdown":
        lines = ["" if _is_markdown_furniture(line) else line.lstrip("> ") for line in lines]
    splits = [split_label(line) for line in lines]
    known = declared_labels(front)
    trusted = trusted_labels([label for label, _, _ in splits if label], known)
    # one "Action: follow up" line in a page of notes does not make it a transcript; a known speaker does
    found = [label.casefold() for label, _, _ in splits if label and label.casefold() in trusted]
    declared = {k.casefold() for k in known} | INTERVIEWER_LABELS
    labelled = len(found) >= 2 or any(label in declared for label in found)

    turns: list[RawTurn] = []
    speaker: str | None = None
    words: list[str] = []
    first_line: int | None = None
    stamp: str | None = None

    def flush() -> None:
        if words and any(w.strip() for w in words):
            turns.append(RawTurn(speaker=speaker, text="\n".join(words), line=first_line, timestamp=stamp))
        words.clear()

    for offset, (line, (label, rest, ts)) in enumerate(zip(lines, splits, strict=True)):
        number = skipped + offset + 1
        if labelled and label is not None and label.casefold() in trusted:
            flush()
            speaker, first_line, stamp = label, number, ts
            words.append(rest)
            continue
        content = rest if label is None else line
        if not content.strip():
            if not labelled:  # a document without speakers: paragraphs are the turns
                flush()
            continue
        if not words:
            first_line, stamp = number, stamp if labelled else ts
        words.append(content)
    flush()
    return ParsedFile(format=fmt, turns=turns, metadata=front, encoding=encoding, warnings=tuple(warnings))


def _is_markdown_furniture(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("#") or stripped in {"---", "***", "___"}
