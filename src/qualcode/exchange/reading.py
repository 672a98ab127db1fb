"""Reading any tool's `.qdpx` into plain data: codes, users, text sources and their codings.

Only text is read (TextSource and its PlainTextSelections): qualcode codes statements of text, so picture,
PDF, audio and video sources are counted and logged as left out, as the standard asks importers to say what
they drop. GUIDs are returned lower case without braces, whatever the file wrote. Tools put a coding's
owner, date and memo in different places: QualCoder and MAXQDA on its PlainTextSelection (`creatingUser`,
`creationDateTime`, a `Description`), qualcode and NVivo on the Coding (with a NoteRef); the Coding's own
wins, the selection's fills in. A source's text file may start with a byte-order mark (QualCoder writes one);
it is no character of the text, and offsets count after it.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from qualcode.errors import BadExchangeFile
from qualcode.exchange.xmltools import child, child_text, children, local, norm_guid, parse_xml

log = logging.getLogger(__name__)
OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
MAX_MEMBER = 200_000_000  # bytes read from one member of a .qdpx


@dataclass(frozen=True)
class QdpxCode:
    guid: str
    name: str
    parent: str | None  # the enclosing code's GUID
    codable: bool
    description: str | None
    color: str | None = None  # `#RRGGBB` as written, when the tool gave one


@dataclass(frozen=True)
class QdpxUser:
    guid: str
    name: str
    id: str | None


@dataclass(frozen=True)
class QdpxSource:
    guid: str
    name: str
    text: str | None  # None for a source whose text is not in the file (an external path)


@dataclass(frozen=True)
class QdpxCoding:
    """One code applied to a span of a text source: [start, end) in code points of the source's text."""

    guid: str
    source: str
    start: int
    end: int
    code: str
    user: str | None  # the Coding's creatingUser, else its selection's
    created: str | None  # the Coding's creationDateTime as written, else its selection's
    note: str | None  # the text of the notes the Coding refers to, else its selection's Description
    selection: str | None  # None for a coding of the whole source


@dataclass(frozen=True)
class QdpxProject:
    name: str
    origin: str | None
    codes: tuple[QdpxCode, ...]
    users: tuple[QdpxUser, ...]
    sources: tuple[QdpxSource, ...]
    codings: tuple[QdpxCoding, ...]


class _Archive:
    """The zip's members by lower-case name: tools write `Project.qde` and `Sources/` as often as not."""

    def __init__(self, archive: zipfile.ZipFile, path: Path) -> None:
        self.archive, self.path = archive, path
        self.names = {info.filename.lower(): info.filename for info in archive.infolist() if not info.is_dir()}

    def read(self, name: str) -> bytes | None:
        """A member's bytes, read no further than `MAX_MEMBER`: a zip may claim any size for what it holds."""
        found = self.names.get(name.lower())
        if found is None:
            return None
        with self.archive.open(found) as member:
            data = member.read(MAX_MEMBER + 1)
        if len(data) > MAX_MEMBER:
            raise BadExchangeFile(f"A file in the archive is larger than {MAX_MEMBER // 1_000_000} MB; no project "
                                  "file or text source is.", path=self.path)
        return data

    def internal_text(self, reference: str | None) -> str | None:
        """The text behind `internal://<file>` (in `sources/`), or None for external paths."""
        if not reference or not reference.lower().startswith("internal://"):
            return None
        name = PurePosixPath(reference[len("internal://"):]).name
        data = self.read(f"sources/{name}")
        if data is None:
            raise BadExchangeFile(f"The file names {reference!r}, which is not in its sources folder.",
                                  path=self.path)
        try:
            return data.decode("utf-8-sig")  # a byte-order mark is no character of the text
        except UnicodeDecodeError:
            raise BadExchangeFile(f"Source file {name!r} is not UTF-8 text.", path=self.path) from None


def read_qdpx(path: Path) -> QdpxProject:
    """Parse a `.qdpx` (zip with `project.qde` and `sources/`) into plain data."""
    try:
        with zipfile.ZipFile(path) as archive:
            files = _Archive(archive, path)
            data = files.read("project.qde")
            if data is None:
                raise BadExchangeFile("The zip holds no project.qde.", path=path)
            return _project(parse_xml(data, path), files)
    except zipfile.BadZipFile:
        raise BadExchangeFile("The file is not a .qdpx (zip) archive.", path=path) from None
    except OSError as exc:
        raise BadExchangeFile(f"The file cannot be read ({exc.strerror}).", path=path) from None


def _project(root: ET.Element, files: _Archive) -> QdpxProject:
    if local(root.tag) != "Project":
        raise BadExchangeFile("project.qde does not hold a REFI-QDA Project.", path=files.path)
    users = tuple(QdpxUser(_guid(e, files.path), e.get("name") or "", e.get("id"))
                  for users in children(root, "Users") for e in children(users, "User"))
    codes: list[QdpxCode] = []
    for book in children(root, "CodeBook"):
        for codes_element in children(book, "Codes"):
            for element in children(codes_element, "Code"):
                _codes(element, None, codes, files.path)
    notes = {_guid(note, files.path): _note_text(note, files)
             for notes_element in children(root, "Notes") for note in children(notes_element, "Note")}
    sources: list[QdpxSource] = []
    codings: list[QdpxCoding] = []
    left_out = 0
    for sources_element in children(root, "Sources"):
        for element in sources_element:
            if local(element.tag) != "TextSource":
                left_out += local(element.tag) in OTHER_SOURCES
                continue
            source = QdpxSource(_guid(element, files.path), element.get("name") or "",
                                child_text(element, "PlainTextContent")
                                if child(element, "PlainTextContent") is not None
                                else files.internal_text(element.get("plainTextPath")))
            sources.append(source)
            codings += _codings(element, source, notes, files.path)
    if left_out:
        log.warning("%s: %d picture, PDF, audio or video source(s) left out; qualcode reads text sources only.",
                    files.path, left_out)
    return QdpxProject(root.get("name") or files.path.stem, root.get("origin"), tuple(codes), users,
                       tuple(sources), tuple(codings))


def _guid(element: ET.Element, path: Path) -> str:
    value = element.get("guid")
    if not value:
        raise BadExchangeFile(f"A {local(element.tag)} has no guid.", path=path)
    return norm_guid(value)


def _codes(element: ET.Element, parent: str | None, out: list[QdpxCode], path: Path) -> None:
    guid = _guid(element, path)
    out.append(QdpxCode(guid, element.get("name") or "", parent,
                        element.get("isCodable", "true").strip().lower() in ("true", "1"),
                        child_text(element, "Description"), element.get("color")))
    for kid in children(element, "Code"):
        _codes(kid, guid, out, path)


def _note_text(note: ET.Element, files: _Archive) -> str:
    if child(note, "PlainTextContent") is not None:
        return child_text(note, "PlainTextContent") or ""
    return files.internal_text(note.get("plainTextPath")) or ""


def _codings(source: ET.Element, text_source: QdpxSource, notes: dict[str, str], path: Path) -> list[QdpxCoding]:
    out: list[QdpxCoding] = []
    whole = len(text_source.text or "")
    spans = [(selection, _position(selection, "startPosition", path), _position(selection, "endPosition", path))
             for selection in children(source, "PlainTextSelection")]
    for holder, start, end in [*spans, (source, 0, whole)]:
        memo = child_text(holder, "Description") if holder is not source else None
        for coding in children(holder, "Coding"):
            code = child(coding, "CodeRef")
            if code is None or not code.get("targetGUID"):
                raise BadExchangeFile("A Coding has no CodeRef.", path=path)
            texts = [notes[g] for g in (norm_guid(r.get("targetGUID", "")) for r in children(coding, "NoteRef"))
                     if g in notes]
            note = "\n\n".join(texts) if texts else (memo or None)
            user = coding.get("creatingUser") or holder.get("creatingUser")
            created = coding.get("creationDateTime") or holder.get("creationDateTime")
            out.append(QdpxCoding(_guid(coding, path), text_source.guid, start, end,
                                  norm_guid(code.get("targetGUID", "")), norm_guid(user) if user else None,
                                  created, note, None if holder is source else _guid(holder, path)))
    return out


def _position(selection: ET.Element, name: str, path: Path) -> int:
    try:
        return int(selection.get(name, ""))
    except ValueError:
        raise BadExchangeFile(f"A PlainTextSelection has no whole-number {name}.", path=path) from None
