"""Which reader handles which file, and turning a file into a `Source`."""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Callable
from pathlib import Path

from qualcode.anonymise.gate import Anonymiser
from qualcode.errors import EmptyFile, NoSpeech, UnknownFormat
from qualcode.ingest.docx import read_docx
from qualcode.ingest.jsonfile import read_json
from qualcode.ingest.layout import lay_out
from qualcode.ingest.metadata import MANIFEST_NAME, ManifestEntry, resolve_metadata
from qualcode.ingest.pdf import read_pdf
from qualcode.ingest.plaintext import read_markdown, read_plaintext
from qualcode.ingest.subtitles import read_srt, read_vtt
from qualcode.ingest.tables import read_csv, read_xlsx
from qualcode.models import ParsedFile, Source

Reader = Callable[[Path, bytes], ParsedFile]

READERS: dict[str, Reader] = {
    ".txt": read_plaintext,
    ".text": read_plaintext,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".vtt": read_vtt,
    ".srt": read_srt,
    ".csv": read_csv,
    ".xlsx": read_xlsx,
    ".json": read_json,
}


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    """`content_hash` of a file's bytes, read a block at a time: memory stays flat whatever its size."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def default_source_id(path: Path) -> str:
    """A readable id from the file name (extension kept, so `call.vtt` and `call.srt` differ)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path.name).strip("-") or "source"


def parse_file(path: Path, data: bytes) -> ParsedFile:
    """Run the reader for the file's extension."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        # the extension is part of the name, which only the gate may show: say what it is like, not what it is
        kind = "has no extension" if not path.suffix else "has an extension qualcode does not read"
        raise UnknownFormat(f"The file {kind}.", path=path)
    if not data.strip():
        raise EmptyFile("The file is empty.", path=path)
    return reader(path, data)


def read_source(path: Path, data: bytes, *, name: str, manifest: ManifestEntry | None = None,
                require_metadata: bool = False, gate: Anonymiser | None = None) -> tuple[Source, list[str]]:
    """Read one file into a `Source`, with any warnings about its metadata and what the reader dropped.

    `name` is how the project refers to the file (its path inside the inbox). With a `gate`, the words,
    speaker labels, metadata, every folder of the name and the name itself are pseudonymised before anything is
    laid out, and a source that still looks identifying afterwards is refused (`Quarantined`). Warnings name the
    file as it is stored and describe what was dropped by position and field, never by value.
    """
    parsed = parse_file(path, data)
    notes = list(parsed.warnings)
    meta, described = resolve_metadata(path, front=parsed.metadata, manifest=manifest, speakers=parsed.speakers,
                                       default_id=default_source_id(path), require=require_metadata,
                                       warnings=notes,
                                       what="the metadata object" if parsed.format == "json" else "front matter")
    if meta.source_type == "unknown" and parsed.source_type is not None:
        meta = meta.model_copy(update={"source_type": parsed.source_type})  # a PDF report is a document
    redactions: tuple[tuple[str, str, int], ...] = ()
    if gate is not None:
        anonymised = gate.anonymise(parsed, meta)
        parsed, meta = anonymised.parsed, anonymised.meta
        name = scrub_path(gate, name, anonymised.replacements)
        meta = meta.model_copy(update={"id": gate.scrub_name(meta.id, anonymised.replacements)})
        redactions = tuple((r.kind, r.placeholder, r.count) for r in anonymised.redactions)
    text, turns = lay_out(parsed, meta)
    if not any(not turn.is_interviewer for turn in turns):
        raise NoSpeech("No interviewee words were found in the file.", path=name)
    if gate is not None:
        described_by = [meta.role, meta.agency, meta.site, meta.interviewer or "",
                        *meta.speakers, *(v for m in meta.speakers.values() for v in (m.role, m.agency))]
        gate.check_residual(text + "\n" + "\n".join(described_by), name)
    source = Source(meta=meta, path=name, content_hash=content_hash(data), format=parsed.format,
                    encoding=parsed.encoding, text=text, turns=turns, redactions=redactions)
    warnings = [f"{name}: {note[:1].upper()}{note[1:]}" for note in notes]
    if not described:
        warnings.append(f"{name} has no {'usable ' if notes else ''}metadata, so role and agency are 'unknown'. "
                        f"Add front matter or a row in {MANIFEST_NAME} beside it (see docs/input-formats.md).")
    return source, warnings


def scrub_path(gate: Anonymiser, name: str, replacements: dict[str, str] | None = None) -> str:
    """A path inside the inbox as the project may show and store it: every folder and the file name pass the gate
    (`day1/Kayleigh Hargreaves/notes.txt` is kept as `day1/PERSON_1/notes.txt`)."""
    *folders, file = name.split("/")
    return "/".join([*(_scrub_folder(gate, folder, replacements) for folder in folders),
                     gate.scrub_name(file, replacements)])


def _scrub_folder(gate: Anonymiser, folder: str, replacements: dict[str, str] | None) -> str:
    """A folder is often named after the person it holds (`Kayleigh Hargreaves/`, `Tolu Mehmood/`): the file-name
    check first, then, for a capitalised name the lists do not hold, the gate's check for speaker labels."""
    shown = gate.scrub_name(folder, replacements)
    if shown != folder or not re.search(r"(?<![^\W\d_])[A-Z]", folder):
        return shown
    known = _FOLDERS.setdefault(gate, {})  # one look per folder and run, however many files it holds
    if folder not in known:
        spaced = " ".join(re.sub(r"[_\-.]+", " ", folder).split())
        label = gate.label(spaced) if spaced else spaced
        known[folder] = label.replace("[", "").replace("]", "") if label != spaced else folder
    return known[folder]


_FOLDERS: weakref.WeakKeyDictionary[Anonymiser, dict[str, str]] = weakref.WeakKeyDictionary()
