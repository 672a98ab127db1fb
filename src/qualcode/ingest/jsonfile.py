"""JSON transcripts: {"metadata": {...}, "turns": [{"speaker", "text", "timestamp"}]} or a list of turns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qualcode.errors import BadJson
from qualcode.models import ParsedFile, RawTurn
from qualcode.text import decode


def read_json(path: Path, data: bytes) -> ParsedFile:
    text, encoding = decode(data, path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadJson(f"The file is not valid JSON ({exc.msg}).", path=path, line=exc.lineno) from None
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
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise BadJson(f"Turn {number} needs a `text` string.", path=path)
        speaker = item.get("speaker")
        turns.append(RawTurn(
            speaker=str(speaker).strip() if speaker not in (None, "") else None,
            text=item["text"],
            timestamp=str(item["timestamp"]) if item.get("timestamp") else None,
            is_question=bool(item.get("question", False)),
        ))
    return ParsedFile(format="json", turns=turns, metadata=metadata, encoding=encoding)
