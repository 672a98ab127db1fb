"""Subtitle files from video calls (WebVTT, SRT): speakers from `<v Name>` voice tags or `Name:` prefixes."""

from __future__ import annotations

import io
from pathlib import Path

import webvtt
from webvtt.errors import MalformedFileError

from qualcode.errors import NoCues
from qualcode.ingest.speakers import split_label, trusted_labels
from qualcode.ingest.timestamps import canonical_timestamp
from qualcode.models import ParsedFile, RawTurn
from qualcode.text import decode


def read_vtt(path: Path, data: bytes) -> ParsedFile:
    return _read_subtitles(path, data, fmt="vtt")


def read_srt(path: Path, data: bytes) -> ParsedFile:
    return _read_subtitles(path, data, fmt="srt")


def _read_subtitles(path: Path, data: bytes, *, fmt: str) -> ParsedFile:
    text, encoding = decode(data, path)
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=fmt).captions
    except MalformedFileError:
        raise NoCues(f"The file is not valid {fmt.upper()}: no cues could be read.", path=path) from None
    cues = [(c.voice, " ".join(c.text.split()), c.start) for c in captions]
    cues = [cue for cue in cues if cue[1]]
    if not cues:
        raise NoCues("The subtitle file has no cues with text.", path=path)
    splits = [split_label(words) for _, words, _ in cues]
    trusted = trusted_labels([label for label, _, _ in splits if label])

    turns: list[RawTurn] = []
    speaker: str | None = None
    for (voice, words, start), (label, rest, _) in zip(cues, splits, strict=True):
        if voice:
            speaker = voice.strip()
        elif label is not None and label.casefold() in trusted:
            speaker, words = label, rest
        # a cue with no speaker of its own continues the last one heard
        turns.append(RawTurn(speaker=speaker, text=words, timestamp=canonical_timestamp(start)))
    return ParsedFile(format=fmt, turns=turns, encoding=encoding)
