"""Text decoding and normalisation that never moves an offset."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import EmptyFile, NotText

# One character for one character, so offsets into the original stay valid in the normalised copy.
_SAME_LENGTH = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u3000": " ",
    "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\t": " ", "\r": " ", "\n": " ", "\f": " ", "\v": " ",
})

ENCODINGS = ("utf-8-sig", "cp1252")


def normalise(text: str) -> str:
    """Straighten quotes and dashes and blank out layout characters, keeping the length unchanged."""
    return text.translate(_SAME_LENGTH)


def for_models(text: str) -> str:
    """The copy of a statement that models see: straight quotes and dashes, single spaces."""
    return " ".join(normalise(text).split())


def collapse_whitespace(text: str) -> str:
    """Tidy layout whitespace (line wraps, runs of spaces) inside one turn."""
    return " ".join(text.split())


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a text file as UTF-8 (with or without BOM) or, failing that, Windows-1252.

    Binary files (NUL bytes, or mostly control characters) are refused rather than decoded as mojibake.
    """
    if not data.strip():
        raise EmptyFile("The file is empty.", path=path)
    if b"\x00" in data[:8192]:
        raise NotText("The file contains NUL bytes, so it is not a text file.", path=path)
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise NotText("The file is mostly control characters, so it is not a text file.", path=path)
        return text, ("utf-8" if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf")
                      else encoding)
    raise NotText("The file is neither UTF-8 nor Windows-1252 text.", path=path)


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return control > max(4, len(sample) // 50)
