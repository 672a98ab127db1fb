"""JSON transcripts: {"metadata": {...}, "turns": [{"speaker", "text", "timestamp"}]} or a list of turns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qualcode.errors import BadJson
from qualcode.ingest.timestamps import canonical_timestamp
from qualcode.models import ParsedFile, RawTurn
from qualcode.text import decode

# What the json module says about a syntax error: fixed phrases, but a message is only repeated when it is one
# of these, so no text of the file can ever ride along.
_DECODER_MESSAGES = frozenset({
    "Expecting value", "Expecting ',' delimiter", "Expecting ':' delimiter", "Extra data", "Invalid \\escape",
    "Invalid \\uXXXX escape", "Invalid control character at", "Unterminated string starting at",
    "Expecting property name enclosed in double quotes", "Illegal trailing comma before end of object",
    "Illegal trailing comma before end of array",
})


def read_json(path: Path, data: bytes) -> ParsedFile:
    text, encoding = decode(data, path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        what = exc.msg if exc.msg in _DECODER_MESSAGES else "a syntax error"
        raise BadJson(f"The file is not valid JSON ({what} at column {exc.colno}).", path=path,
                      line=exc.lineno) from None
    except RecursionError:
        raise BadJson("The file nests too deeply to read.", path=path) from None
    metadata: dict[str, Any] | None = None
    if isinstance(document, dict):
        metadata = document.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadJson("`metadata` must be an object.", path=path)
        items = document.get("turns")
    else:
        items = document
    if not isinstance(items, list):
        raise BadJson("No list of turns found.", path=path)
    turns: list[RawTurn] = []
    warnings: list[str] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise BadJson(f"Turn {number} needs a `text` string.", path=path)
        turns.append(RawTurn(
            speaker=_speaker(item.get("speaker"), number, warnings),
            text=item["text"],
            timestamp=_timestamp(item.get("timestamp"), number, warnings),
            is_question=bool(item.get("question", False)),
        ))
    return ParsedFile(format="json", turns=turns, metadata=metadata, encoding=encoding, warnings=tuple(warnings))


def _speaker(value: object, number: int, warnings: list[str]) -> str | None:
    """A label (it passes the anonymisation gate like any label), or None; never a structure's repr."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str | int | float):
        label = " ".join(str(value).split())
        return label or None
    warnings.append(f"turn {number}'s `speaker` is not a label and was dropped.")
    return None


def _timestamp(value: object, number: int, warnings: list[str]) -> str | None:
    if value is None or value == "":
        return None
    stamp = canonical_timestamp(value)
    if stamp is None:
        warnings.append(f"turn {number}'s `timestamp` is not a time and was dropped.")
    return stamp
