"""Source metadata: YAML front matter, manifest.csv files, and how the two combine."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from qualcode.errors import BadManifest, BadMetadata, MissingMetadata
from qualcode.models import SourceMeta, SpeakerMeta
from qualcode.text import decode

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "id", "site", "site_type", "role", "agency", "source_type", "date", "interviewer",
                    "speaker")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.DOTALL | re.MULTILINE)


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any] | None, str, int]:
    """Return (front matter, the text after it, how many lines it took)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None, text, 0
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise BadMetadata("The front matter is not valid YAML.", path=path, line=line) from None
    if not isinstance(data, dict):
        raise BadMetadata("The front matter must be a mapping of `field: value` lines.", path=path, line=2)
    consumed = text[: match.end()]
    return data, text[match.end():], consumed.count("\n")


@dataclass
class ManifestEntry:
    """One file's rows in a manifest: the source row and any per-speaker rows."""

    fields: dict[str, str] = field(default_factory=dict)
    speakers: dict[str, SpeakerMeta] = field(default_factory=dict)
    line: int = 0


def read_manifest(path: Path) -> dict[str, ManifestEntry]:
    """Read a manifest.csv into entries keyed by file name relative to the manifest's folder."""
    text, _ = decode(path.read_bytes(), path)
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if "file" not in header:
        raise BadManifest("The manifest has no `file` column.", path=path, line=1)
    unknown = sorted(set(header) - set(MANIFEST_COLUMNS) - {""})
    if unknown:
        raise BadManifest(f"Unknown manifest column(s): {', '.join(unknown)}.", path=path, line=1)
    reader.fieldnames = header
    entries: dict[str, ManifestEntry] = {}
    for number, row in enumerate(reader, start=2):
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        if None in row:
            raise BadManifest("This row has more cells than the header.", path=path, line=number)
        name = cells.pop("file", "")
        if not name:
            if any(cells.values()):
                raise BadManifest("This row names no file.", path=path, line=number)
            continue
        entry = entries.setdefault(name, ManifestEntry(line=number))
        speaker = cells.pop("speaker", "")
        if speaker:
            try:
                entry.speakers[speaker] = SpeakerMeta(role=cells.get("role") or "unknown",
                                                      agency=cells.get("agency") or "unknown")
            except ValidationError as exc:
                raise BadManifest(_first_problem(exc), path=path, line=number) from None
        else:
            if entry.fields:
                raise BadManifest("This file has a second row with no speaker; give one row per file.",
                                  path=path, line=number)
            entry.fields = {k: v for k, v in cells.items() if v}
            entry.line = number
    return entries


def resolve_metadata(path: Path, *, front: dict[str, Any] | None, manifest: ManifestEntry | None,
                     speakers: dict[str, SpeakerMeta] | None = None, default_id: str,
                     require: bool = False) -> tuple[SourceMeta, bool]:
    """Combine the file's own metadata (which wins) with its manifest row; say whether there was any."""
    data: dict[str, Any] = {}
    line: int | None = None
    if manifest is not None:
        data.update(manifest.fields)
        line = manifest.line
    if front:
        data.update({k: v for k, v in front.items() if k != "speakers"})
        line = None
    merged_speakers: dict[str, Any] = {}
    merged_speakers.update(speakers or {})
    if manifest is not None:
        merged_speakers.update(manifest.speakers)
    if front and front.get("speakers"):
        if not isinstance(front["speakers"], dict):
            raise BadMetadata("`speakers` must map each speaker label to {role, agency}.", path=path, line=2)
        merged_speakers.update(front["speakers"])
    described = bool(front) or manifest is not None
    if not described and require:
        raise MissingMetadata("This file has no metadata.", path=path)
    data.setdefault("id", default_id)
    data["id"] = str(data["id"])
    if merged_speakers:
        data["speakers"] = merged_speakers
    try:
        return SourceMeta.model_validate(data), described
    except ValidationError as exc:
        where = path if line is None else path.parent / MANIFEST_NAME
        raise BadMetadata(_first_problem(exc), path=where, line=line) from None


def _first_problem(exc: ValidationError) -> str:
    """The field and what is wrong with it; a speaker's label (a dictionary key) may be a name, so never that."""
    error = exc.errors()[0]
    location = [str(p) for p in error["loc"]]
    if location[:1] == ["speakers"] and len(location) > 1:
        location[1] = "<a speaker label>"
    return f"Metadata field `{'.'.join(location) or 'metadata'}`: {error['msg']}."
