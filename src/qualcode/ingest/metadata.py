"""Source metadata: YAML front matter, manifest.csv files, and how the two combine.

Metadata is read tolerantly, because a header never stops a transcript from being anonymised: keys and values
written the way people write them (`source_id`, `Type: Interview`, `source_type: focus group`, `date: 9 March
2026`) are normalised where their meaning is plain (the aliases below, documented in docs/input-formats.md),
and anything else is dropped with a warning. A warning names a key by its position and a field by qualcode's own
name, never by what the file says: a key may be a child's name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from qualcode.errors import BadMetadata, InputError, MissingMetadata
from qualcode.models import UNKNOWN, SourceMeta, SpeakerMeta
from qualcode.text import decode

MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("file", "id", "site", "site_type", "role", "agency", "source_type", "date", "interviewer",
                    "speaker")
FIELDS = ("id", "site", "site_type", "role", "agency", "source_type", "date", "interviewer", "speakers")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.DOTALL | re.MULTILINE)
_FLAT_LINE = re.compile(r"(?P<key>[^\s:#][^:]*?)[ \t]*:(?:[ \t]+(?P<value>.*?))?[ \t]*")


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as written (`2024-01-71` is a value to drop, not a crash), so one reader of
    dates decides them all."""


def _as_written(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _as_written)


def _aliases(table: dict[str, Iterable[str]]) -> dict[str, str]:
    return {alias: name for name, aliases in table.items() for alias in aliases}


# Keys, folded (lower case; `_`, `-`, `.` and camelCase humps read as spaces; apostrophes and a final colon go).
KEY_ALIASES = _aliases({
    "id": ("id", "source id", "sourceid", "identifier", "source identifier", "transcript id", "interview id",
           "document id", "doc id", "file id"),
    "site": ("site", "site name", "la", "la name", "local authority", "local authority name", "council",
             "council name", "authority"),
    "site_type": ("site type", "la type", "local authority type", "council type", "authority type",
                  "type of la", "type of local authority", "type of council", "type of authority"),
    "role": ("role", "interviewee role", "interviewee's role", "respondent role", "participant role",
             "speaker role", "job title", "job role", "role title", "position", "post"),
    "agency": ("agency", "organisation", "organization", "org", "service", "sector", "partner agency",
               "agency type", "organisation type", "organization type"),
    "source_type": ("source type", "sourcetype", "type", "kind", "source kind", "interview type",
                    "document type", "method"),
    "date": ("date", "interview date", "date of interview", "session date", "recording date", "date recorded",
             "recorded", "recorded on", "held on", "conducted on", "interviewed on"),
    "interviewer": ("interviewer", "interviewed by", "interviewer label", "facilitator", "moderator",
                    "researcher"),
    "speakers": ("speakers", "speaker roles", "participants"),
    "speaker": ("speaker", "speaker label"),  # a manifest's per-speaker rows
    "file": ("file", "filename", "file name", "path", "source file", "transcript", "transcript file"),
})
# Inside one speaker's description.
SPEAKER_KEYS = {alias: name for alias, name in KEY_ALIASES.items() if name in ("role", "agency")}

SOURCE_TYPE_ALIASES = _aliases({
    "interview": ("interview", "telephone interview", "phone interview", "video interview", "online interview",
                  "teams interview", "zoom interview", "face to face interview", "in person interview",
                  "one to one interview", "one to one", "1 to 1", "1:1", "individual interview",
                  "semi structured interview", "structured interview", "joint interview", "paired interview"),
    "focus_group": ("focus group", "focusgroup", "fg", "group interview", "group discussion",
                    "focus group discussion"),
    "interviewer_notes": ("interviewer notes", "interviewers notes", "interview notes", "notes", "note",
                          "field notes", "fieldnotes", "peer notes", "review notes", "observation notes"),
    "questionnaire": ("questionnaire", "survey", "self evaluation", "self evaluation questionnaire",
                      "free text answers"),
    "case_file_mapping": ("case file mapping", "case mapping", "case file audit", "case audit"),
    "document": ("document", "doc", "board minutes", "minutes", "strategy", "policy", "report", "paper"),
    "unknown": ("unknown", "other", "n/a", "na", "none", "not known"),
})
SITE_TYPE_ALIASES = _aliases({
    "unitary": ("unitary", "unitary authority", "unitary council", "ua"),
    "city": ("city", "city council"),
    "london_borough": ("london borough", "london borough council", "lb"),
    "county": ("county", "county council", "shire county"),
    "unknown": ("unknown", "other", "n/a", "na", "none", "not known"),
})
_SITE_NUMBER = re.compile(r"(?:la|local authority|site)\s*(\d{1,2})", re.IGNORECASE)
_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
    ("november", "nov"), ("december", "dec")), start=1) for name in names}
_WEEKDAY = re.compile(r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?"
                       r"(?:Z|[+-]\d{2}:?\d{2})?)?")
_UK_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+([a-z]+)\.?,?\s+(\d{4})", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.IGNORECASE)


def fold_key(key: object) -> str:
    """A key or value as compared with the aliases: `Source_ID`, `sourceId` and `source id` all fold alike."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(key))
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"[_\-.]+", " ", text).casefold()
    return " ".join(text.split()).rstrip(":").strip()


def canonical_key(key: object, aliases: dict[str, str] = KEY_ALIASES) -> str | None:
    """qualcode's name for a metadata key, or None when its meaning is not plain."""
    if not isinstance(key, str | int | float) or isinstance(key, bool):
        return None
    return aliases.get(fold_key(key))


def parse_date(value: object) -> dt.date | None:
    """A date written in a common UK way (`2026-03-09`, `09/03/2026`, `9 March 2026`, `Monday 9th March 2026`,
    `March 9, 2026`), or None. Numeric dates are day first, as in the UK; two-digit years are 20xx."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = _WEEKDAY.sub("", " ".join(value.split()))
    parts: tuple[int, int, int] | None = None
    if match := _ISO_DATE.fullmatch(text):
        parts = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    elif match := _UK_DATE.fullmatch(text):
        year = int(match.group(3))
        parts = (year + 2000 if year < 100 else year, int(match.group(2)), int(match.group(1)))
    elif (match := _DAY_MONTH_YEAR.fullmatch(text)) and match.group(2).casefold() in _MONTHS:
        parts = (int(match.group(3)), _MONTHS[match.group(2).casefold()], int(match.group(1)))
    elif (match := _MONTH_DAY_YEAR.fullmatch(text)) and match.group(1).casefold() in _MONTHS:
        parts = (int(match.group(3)), _MONTHS[match.group(1).casefold()], int(match.group(2)))
    if parts is None:
        return None
    try:
        return dt.date(*parts)
    except ValueError:  # 31 February, month 13
        return None


def _scalar(value: object) -> str | None:
    """A one-line text value; None for a list, a mapping or nothing."""
    if value is None or isinstance(value, bool | list | dict | set | tuple):
        return None
    if isinstance(value, dt.date | int | float | str):
        text = " ".join(str(value).split())
        return text or None
    return None


class _Dropped(Exception):
    """A value that cannot be read plainly; the message says why, without the value."""


def normalise_value(name: str, value: object) -> Any:
    """One field's value as SourceMeta takes it. Raises `_Dropped` (message without the value) otherwise."""
    if name == "date":
        date = parse_date(value)
        if date is None:
            raise _Dropped("could not be read as a date")
        return date
    text = _scalar(value)
    if text is None:
        raise _Dropped("is not a single value")
    if name == "source_type":
        return _vocabulary(text, SOURCE_TYPE_ALIASES)
    if name == "site_type":
        return _vocabulary(text, SITE_TYPE_ALIASES)
    if name == "id":
        shown = re.sub(r"[/\\\s]+", "-", text).strip("-")
        if not shown:
            raise _Dropped("is empty")
        return shown
    if name == "site" and (number := _SITE_NUMBER.fullmatch(text)):
        return f"LA{int(number.group(1))}"
    return text


def _vocabulary(text: str, aliases: dict[str, str]) -> str:
    folded = fold_key(text)
    found = aliases.get(folded) or aliases.get(folded.removesuffix("s")) or aliases.get(folded.replace(" ", ""))
    if found is None and folded.replace(" ", "_") in aliases.values():
        found = folded.replace(" ", "_")
    if found is None:
        raise _Dropped("is not one of the values qualcode knows")
    return found


def split_front_matter(text: str, path: Path, warnings: list[str] | None = None
                       ) -> tuple[dict[str, Any] | None, str, int]:
    """Return (front matter, the text after it, how many lines it took).

    Front matter that is not valid YAML is read again as one `key: value` per line when every line has that
    shape (a warning says so); otherwise the file is refused, naming the line only. Front matter that is not
    a mapping is dropped with a warning: the text is still read."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None, text, 0
    notes = [] if warnings is None else warnings
    block = match.group(1)
    try:
        data = yaml.load(block, Loader=_Loader)  # a SafeLoader
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        data = _flat_front_matter(block)
        if data is None:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            raise BadMetadata("The front matter is not valid YAML.", path=path, line=line) from None
        notes.append("the front matter is not valid YAML, so it was read as one `field: value` per line.")
    consumed = text[: match.end()]
    if data is not None and not isinstance(data, dict):
        notes.append("the front matter is not a list of `field: value` lines and was dropped.")
        data = None
    return data if data is None else dict(data), text[match.end():], consumed.count("\n")


def _flat_front_matter(block: str) -> dict[str, Any] | None:
    """`key: value` lines read without YAML (`role: Head of Service: Children` is not YAML); None when a line
    has another shape (indented, a list, no colon) or a value opens a YAML list, mapping or block."""
    data: dict[str, Any] = {}
    for line in block.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _FLAT_LINE.fullmatch(line.rstrip())
        if match is None:
            return None
        value = (match.group("value") or "").strip()
        if value.startswith(("[", "{", "|", ">")):  # meant as YAML structure: a broken one is refused
            return None
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        key = match.group("key")
        data[key if key not in data else f"{key}\x00{len(data)}"] = value or None  # a repeat keeps its place
    return data or None


def declared_labels(front: dict[str, Any] | None) -> list[str]:
    """Speaker labels the metadata declares (the interviewer's, the speakers'), whatever the keys are called."""
    if not front:
        return []
    labels: list[str] = []
    for key, value in front.items():
        name = canonical_key(key)
        if name == "interviewer" and (label := _scalar(value)):
            labels.append(label)
        elif name == "speakers" and isinstance(value, dict):
            labels.extend(label for label in (_scalar(k) for k in value) if label)
    return labels


@dataclass
class _Field:
    value: Any
    exact: bool  # written with qualcode's own name, which wins over an alias
    position: int


def read_mapping(data: dict[Any, Any], what: str, warnings: list[str]
                 ) -> tuple[dict[str, Any], dict[str, SpeakerMeta]]:
    """Front matter (or a JSON metadata object) as SourceMeta fields and speakers, normalised; what cannot be
    read plainly is dropped with a warning that says where (`what` key N) and never what."""
    found: dict[str, _Field] = {}
    for position, (key, value) in enumerate(data.items(), start=1):
        name = canonical_key(key)
        if name is None or name in ("file", "speaker"):
            warnings.append(f"{what} key {position} was not recognised and was dropped.")
            continue
        exact = fold_key(key) == name.replace("_", " ")
        earlier = found.get(name)
        if earlier is not None:
            if exact and not earlier.exact:
                warnings.append(f"{what} key {earlier.position} gives `{name}` as key {position} does, "
                                "and was dropped.")
            else:
                warnings.append(f"{what} key {position} gives `{name}` again and was dropped.")
                continue
        found[name] = _Field(value, exact, position)
    fields: dict[str, Any] = {}
    speakers: dict[str, SpeakerMeta] = {}
    for name, item in found.items():
        if item.value is None or item.value == "":
            continue
        if name == "speakers":
            speakers = _speakers(item.value, what, warnings)
            continue
        try:
            fields[name] = normalise_value(name, item.value)
        except _Dropped as why:
            warnings.append(f"{what} field `{name}` {why} and was dropped.")
    return fields, speakers


def _speakers(value: object, what: str, warnings: list[str]) -> dict[str, SpeakerMeta]:
    """`label: {role, agency}` (or `label: role`) for each speaker; anything else is dropped by position."""
    if not isinstance(value, dict):
        warnings.append(f"{what} field `speakers` does not map each speaker label to a role and agency, "
                        "and was dropped.")
        return {}
    speakers: dict[str, SpeakerMeta] = {}
    for number, (label, description) in enumerate(value.items(), start=1):
        shown = _scalar(label)
        if shown is None:
            warnings.append(f"{what} speaker {number} has no usable label and was dropped.")
            continue
        described: dict[str, str] = {}
        if isinstance(description, dict):
            for position, (key, inner) in enumerate(description.items(), start=1):
                name = canonical_key(key, SPEAKER_KEYS)
                text = _scalar(inner)
                if name is None:
                    warnings.append(f"{what} speaker {number}, key {position} was not recognised and was dropped.")
                elif text is None:
                    if inner not in (None, ""):
                        warnings.append(f"{what} speaker {number}'s `{name}` is not a single value and was "
                                        "dropped.")
                else:
                    described.setdefault(name, text)
        elif (text := _scalar(description)) is not None:
            described["role"] = text  # `Named Nurse: health lead`: the plain meaning is a role
        elif description is not None:
            warnings.append(f"{what} speaker {number} is not described by a role and agency and was dropped.")
            continue
        if not described:
            continue
        speakers[shown] = SpeakerMeta(role=described.get("role", UNKNOWN), agency=described.get("agency", UNKNOWN))
    return speakers


@dataclass
class ManifestEntry:
    """One file's rows in a manifest: the source row and any per-speaker rows, normalised, with warnings about
    what was dropped from them (by row and field, never by value)."""

    fields: dict[str, Any] = field(default_factory=dict)
    speakers: dict[str, SpeakerMeta] = field(default_factory=dict)
    line: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    """A folder's manifest.csv: entries keyed by file name relative to the manifest's folder, and warnings about
    the manifest as a whole (an unknown column, a row that names no file)."""

    entries: dict[str, ManifestEntry] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> ManifestEntry:
        return self.entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def get(self, name: str) -> ManifestEntry | None:
        return self.entries.get(name)


def read_manifest(path: Path) -> Manifest:
    """Read a manifest.csv, tolerantly: a manifest never stops the files it describes from being anonymised.

    Columns are matched through the same aliases as front matter; an unknown column is ignored, a row with more
    cells than the header loses the extra cells, a repeated row is ignored, and a value that cannot be read
    plainly is dropped, each with a warning that names a column or row by number. A manifest that cannot be read
    at all (not text, no `file` column) describes no file, with a warning."""
    manifest = Manifest()
    notes = manifest.warnings
    try:
        text, _ = decode(path.read_bytes(), path)
    except (InputError, OSError):
        notes.append("the manifest could not be read as text, so it describes no file.")
        return manifest
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        notes.append("the manifest is not valid CSV, so it describes no file.")
        return manifest
    if not rows:
        return manifest
    columns: list[str | None] = []
    for number, name in enumerate(rows[0], start=1):
        canonical = canonical_key(name) if name.strip() else None
        if canonical == "speakers":
            canonical = "speaker"
        if name.strip() and (canonical is None or canonical in columns):
            notes.append(f"manifest column {number} was not recognised and was ignored."
                         if canonical is None else f"manifest column {number} repeats `{canonical}` and was ignored.")
            canonical = None
        columns.append(canonical)
    if "file" not in columns:
        notes.append("the manifest has no `file` column, so it describes no file.")
        return manifest
    described: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(columns) and any(cell.strip() for cell in row[len(columns):]):
            notes.append(f"manifest row {number} has more cells than the header; the extra cells were ignored.")
        cells = {name: cell.strip() for name, cell in zip(columns, row, strict=False) if name is not None}
        name = cells.pop("file", "").replace("\\", "/").strip("/")
        if not name:
            if any(cells.values()):
                notes.append(f"manifest row {number} names no file and was ignored.")
            continue
        entry = manifest.entries.setdefault(name, ManifestEntry(line=number))
        speaker = cells.pop("speaker", "")
        where = f"manifest row {number}"
        if speaker:
            entry.speakers.setdefault(" ".join(speaker.split()), SpeakerMeta(
                role=cells.get("role") or UNKNOWN, agency=cells.get("agency") or UNKNOWN))
            continue
        if name in described:
            notes.append(f"{where} describes a file an earlier row describes, and was ignored.")
            continue
        described.add(name)
        entry.line = number
        for key, value in cells.items():
            if not value or key == "speakers":
                continue
            try:
                entry.fields[key] = normalise_value(key, value)
            except _Dropped as why:
                entry.warnings.append(f"{where}: `{key}` {why} and was dropped.")
    return manifest


def resolve_metadata(path: Path, *, front: dict[str, Any] | None, manifest: ManifestEntry | None,
                     speakers: dict[str, SpeakerMeta] | None = None, default_id: str,
                     require: bool = False, warnings: list[str] | None = None,
                     what: str = "front matter") -> tuple[SourceMeta, bool]:
    """Combine the file's own metadata (which wins) with its manifest row; say whether there was any.

    Never refuses a file for what its metadata says: what cannot be read plainly is dropped and `warnings` gets
    a line for it (by position and field, never by value). With `require`, a file left with no usable metadata
    is refused (`MissingMetadata`)."""
    notes = [] if warnings is None else warnings
    data: dict[str, Any] = {}
    merged_speakers: dict[str, SpeakerMeta] = dict(speakers or {})
    described_speakers = False
    if manifest is not None:
        data.update(manifest.fields)
        merged_speakers.update(manifest.speakers)
        described_speakers = bool(manifest.speakers)
        notes.extend(manifest.warnings)
    if front:
        fields, front_speakers = read_mapping(front, what, notes)
        data.update(fields)
        merged_speakers.update(front_speakers)
        described_speakers = described_speakers or bool(front_speakers)
    described = bool(data) or described_speakers
    if not described and require:
        problems = f" ({len(notes)} problem(s): {' '.join(notes)})" if notes else ""
        raise MissingMetadata(f"This file has no usable metadata{problems}.", path=path)
    data.setdefault("id", default_id)
    if merged_speakers:
        data["speakers"] = merged_speakers
    while True:
        try:
            return SourceMeta.model_validate(data), described
        except ValidationError as exc:  # a last guard: every field was normalised above
            name = str(exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else ""
            if name not in data or (name == "id" and data["id"] == default_id):
                raise BadMetadata("The metadata could not be read.", path=path) from None
            notes.append(f"{what} field `{name}` could not be used and was dropped.")
            if name == "id":
                data["id"] = default_id
            else:
                del data[name]
