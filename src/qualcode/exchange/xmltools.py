"""REFI-QDA XML plumbing: deterministic GUIDs and bytes out, namespace-blind parsing in.

Exports must be byte-identical when nothing changed (so a team can diff them and version them), so GUIDs
are uuid5 over a fixed namespace and a stable key, attribute order is fixed and no clock is read.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path

from qualcode.errors import BadExchangeFile

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
# Never change: every GUID qualcode has exported, and so every mapping back to code ids, hangs on it.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:qualcode:refi-qda")
# XML 1.0 cannot hold most control characters; a stray one would make the whole file unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def make_guid(kind: str, key: str) -> str:
    """The GUID of one thing (`kind` code, source, user, ...) named by a stable key: the same on every export."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def norm_guid(value: str) -> str:
    """A GUID as qualcode compares them: lower case, no braces (other tools write `{...}` and upper case)."""
    return value.strip().strip("{}").lower()


def clean(text: str) -> str:
    """Text XML 1.0 can carry: characters it forbids are dropped, line ends made `\\n` (parsers do that anyway)."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def sub(parent: ET.Element, tag: str, attrib: Mapping[str, str | None] | None = None,
        text: str | None = None) -> ET.Element:
    """Append a child (in the root's default namespace); attributes whose value is None are left out, in the
    order given."""
    element = ET.SubElement(parent, tag,
                            {key: clean(value) for key, value in (attrib or {}).items() if value is not None})
    if text is not None:
        element.text = clean(text)
    return element


def root_element(ns: str, tag: str, attrib: Mapping[str, str | None]) -> ET.Element:
    """A document root with `ns` as the default namespace of every element under it. (ElementTree's own
    default_namespace option refuses unqualified attributes, which the REFI-QDA schemas require.)"""
    return ET.Element(tag, {"xmlns": ns, **{key: clean(value) for key, value in attrib.items() if value is not None}})


def to_bytes(root: ET.Element) -> bytes:
    """UTF-8 without byte-order mark, indented so a person can read a diff."""
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


MAX_DEPTH = 64  # REFI-QDA files nest codes a few levels deep; far deeper is a damaged or hostile file


def parse_xml(data: bytes, path: Path) -> ET.Element:
    """The document's root; a file that is not XML, or nested deeper than `MAX_DEPTH`, is a `BadExchangeFile`
    naming it (every reader below walks the tree, and none may hit Python's recursion limit)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise BadExchangeFile("The file is not well-formed XML.", path=path, line=line) from None
    level: list[tuple[ET.Element, int]] = [(root, 1)]
    while level:
        element, depth = level.pop()
        if depth > MAX_DEPTH:
            raise BadExchangeFile(f"The file nests elements more than {MAX_DEPTH} levels deep; no REFI-QDA "
                                  "project or codebook does.", path=path)
        level.extend((kid, depth + 1) for kid in element)
    return root


def local(tag: str) -> str:
    """An element's name without its namespace: tools disagree on namespaces, never on names."""
    return tag.rsplit("}", 1)[-1]


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if local(child.tag) == name)


def child(element: ET.Element, name: str) -> ET.Element | None:
    return next(children(element, name), None)


def child_text(element: ET.Element, name: str) -> str | None:
    found = child(element, name)
    return None if found is None else (found.text or "")


def xsd_datetime(value: object) -> str | None:
    """A stored timestamp as an xsd:dateTime in UTC (`2026-03-10T09:00:00Z`); None when it is no timestamp."""
    moment = _parse_moment(value)
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_utc(value: object) -> str | None:
    """A timestamp from another tool in the form the store keeps (`2026-03-10T09:00:00+00:00`)."""
    moment = _parse_moment(value)
    return None if moment is None else moment.isoformat(timespec="seconds")


def _parse_moment(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:  # REFI-QDA examples omit the zone; UTC is the only reading that does not guess
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0)
