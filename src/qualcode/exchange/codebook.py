"""Codebooks in and out of REFI-QDA `.qdc` files, and out as qualcode YAML.

A code's GUID is uuid5 over its id alone, so the same code gets the same GUID in every export, from every
project (qualcode code ids are fixed so codings can be compared across projects). Everything qualcode
knows about a code that the standard has no field for (include/exclude notes, examples, keywords, token
patterns, threshold) goes into the code's Description as readable sections, ending in a `qualcode id:`
line. On import a code is ours when that line names an id whose GUID is the code's GUID: its id and
sections come back exactly. Any other code is foreign: its id is built from the slugified names on its path
(`Impact` > `Staff morale` -> `impact.staff_morale`) and its whole Description is the definition.

Every code carries a six-digit `color` (see `code_colours`), so QualCoder and the others show the same colour
for a code in every export. Taguette reads codebooks only as CSV: `codebook_csv` writes `name,description`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from qualcode.codebook.colours import code_colours
from qualcode.codebook.model import Code, Codebook, ValenceExamples
from qualcode.errors import BadExchangeFile
from qualcode.exchange.reading import MAX_MEMBER
from qualcode.exchange.xmltools import (
    CODEBOOK_NS,
    child,
    child_text,
    children,
    clean,
    local,
    make_guid,
    norm_guid,
    parse_xml,
    root_element,
    sub,
    to_bytes,
)

ORIGIN = "qualcode"
ID_LINE = "qualcode id: "
BOOK_LINE = "qualcode codebook: "
THRESHOLD_LINE = "Threshold: "
# Code fields written as `Header:` followed by `- item` lines, in this order.
CODE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("include", "Include:"), ("exclude", "Exclude:"), ("examples", "Examples:"),
    ("counter_examples", "Counter-examples:"), ("keywords", "Keywords:"), ("patterns", "Token patterns (spaCy):"))
VALENCE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("strength", "Strength examples:"), ("area_for_improvement", "Area for improvement examples:"),
    ("neutral", "Neutral examples:"))
_CODE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "œ": "oe", "Œ": "oe", "ł": "l",
                       "Ł": "l", "đ": "d", "Đ": "d", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d"})


def code_guid(code_id: str) -> str:
    return make_guid("code", code_id)


def codebook_guid(name: str) -> str:
    return make_guid("codebook", name)


# --- writing ---------------------------------------------------------------------------------------------

def export_codebook(codebook: Codebook, path: Path) -> None:
    """Write `codebook` as a REFI-QDA codebook (`.qdc`) that NVivo, ATLAS.ti, MAXQDA and QualCoder import."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(codebook_qdc(codebook))


def codebook_qdc(codebook: Codebook) -> bytes:
    """The `.qdc` document: nested codes, then one Set carrying the codebook's name, version and valence
    examples (the standard has no other place for them) with every code as a member."""
    root = root_element(CODEBOOK_NS, "CodeBook", {"origin": ORIGIN})
    add_codes(sub(root, "Codes"), codebook)
    book = sub(sub(root, "Sets"), "Set",
               {"guid": codebook_guid(codebook.name), "name": codebook.name})
    sub(book, "Description", text=describe_codebook(codebook))
    for code in codebook.codes:
        sub(book, "MemberCode", {"guid": code_guid(code.id)})
    return to_bytes(root)


def add_codes(codes: ET.Element, codebook: Codebook) -> None:
    """Append the codebook's codes under `codes`, children inside their parent. Parents are not codable:
    qualcode only codes leaves, and QualCoder turns non-codable codes into categories."""
    known = {code.id for code in codebook.codes}
    kids: dict[str | None, list[Code]] = {}
    for code in codebook.codes:
        kids.setdefault(code.parent if code.parent in known else None, []).append(code)
    colours = code_colours(codebook)
    written: set[str] = set()

    def write(parent: ET.Element, code: Code) -> None:
        written.add(code.id)
        element = sub(parent, "Code", {"guid": code_guid(code.id), "name": code.label,
                                           "isCodable": "false" if code.id in kids else "true",
                                           "color": colours[code.id]})
        sub(element, "Description", text=describe_code(code))
        for kid in kids.get(code.id, []):
            if kid.id not in written:
                write(element, kid)

    for code in kids.get(None, []):
        write(codes, code)
    for code in codebook.codes:  # codes caught in a parent cycle would otherwise be lost
        if code.id not in written:
            write(codes, code)


def export_codebook_csv(codebook: Codebook, path: Path) -> None:
    """Write `codebook` as the CSV codebook Taguette imports (see `codebook_csv`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(codebook_csv(codebook))


def codebook_csv(codebook: Codebook) -> bytes:
    """One row per code (parents too, before their children) under the header `name,description`, the columns
    Taguette's codebook import reads. The name is the code id: unique, stable, and dotted the way Taguette nests
    tags (`impact.morale_relations` sits under `impact`). The description is one line (Taguette's import form
    shows it in a one-line box, and a browser drops line breaks there, running words together): the label, the
    definition, and the include and exclude notes. UTF-8 with a byte-order mark: Taguette guesses a CSV's
    encoding and reads a marked file as UTF-8 for certain (so does Excel)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["name", "description"])
    for code in codebook.codes:
        writer.writerow([code.id, csv_description(code)])
    return buffer.getvalue().encode("utf-8-sig")


def csv_description(code: Code) -> str:
    """`Label: definition Include: a; b. Exclude: c.` on one line."""
    parts = [f"{code.label}: {code.definition}"]
    for name, header in (("include", "Include:"), ("exclude", "Exclude:")):
        items: list[str] = getattr(code, name)
        if items:
            parts.append(f"{header} {'; '.join(item.rstrip('.') for item in items)}.")
    return " ".join(clean(" ".join(parts)).split())


def describe_code(code: Code) -> str:
    """A code's Description: the definition, then the notes and examples a coder needs, as plain text."""
    parts = [code.definition]
    for name, header in CODE_SECTIONS:
        values: list[Any] = getattr(code, name)
        if values:
            items = [json.dumps(v, ensure_ascii=False) if name == "patterns" else str(v) for v in values]
            parts.append("\n".join([header, *(_item(v) for v in items)]))
    if code.threshold is not None:
        parts.append(f"{THRESHOLD_LINE}{code.threshold!r}")
    parts.append(f"{ID_LINE}{code.id}")
    return "\n\n".join(parts)


def describe_codebook(codebook: Codebook) -> str:
    lines = [f"{BOOK_LINE}{codebook.name}", f"Version: {codebook.version}"]
    if codebook.author:
        lines.append(f"Author: {codebook.author}")
    lines.append(f"Valence: {'yes' if codebook.valence else 'no'}")
    parts = ["\n".join(lines)]
    if codebook.description:
        parts.append(codebook.description)
    if codebook.valence_examples is not None:
        parts += ["\n".join([header, *(_item(v) for v in getattr(codebook.valence_examples, name))])
                  for name, header in VALENCE_SECTIONS]
    return "\n\n".join(parts)


def _item(text: str) -> str:
    return "- " + clean(text).replace("\n", "\n  ")


# --- reading ---------------------------------------------------------------------------------------------

@dataclass
class _Node:
    guid: str
    name: str
    codable: bool
    description: str | None
    kids: list[_Node] = field(default_factory=list)

    @property
    def useful(self) -> bool:
        """Codable, or a folder with something codable inside: an empty folder would become a leaf."""
        return self.codable or any(kid.useful for kid in self.kids)


def import_codebook(path: Path, name: str | None = None) -> Codebook:
    """Read a `.qdc` from qualcode or another tool into a validated Codebook (see the module notes for ids).

    Args:
        path: The `.qdc` file.
        name: The codebook's name; by default the one qualcode exported, or the file's stem.
    """
    data = _read(path)
    root = parse_xml(data, path)
    codes = child(root, "Codes") if local(root.tag) == "CodeBook" else None
    if codes is None:
        raise BadExchangeFile("This is not a REFI-QDA codebook: no CodeBook with Codes.", path=path)
    nodes = [node for node in (_node(e, path) for e in children(codes, "Code")) if node.useful]
    meta = _codebook_meta(root)
    fields: dict[str, Any] = {
        "name": name or meta.get("name") or path.stem,
        "version": meta.get("version") or f"qdc-{hashlib.sha256(data).hexdigest()[:12]}",
        "author": meta.get("author", ""),
        "description": meta.get("description") or _imported_from(path, root.get("origin")),
        "codes": codes_from_nodes(nodes, path),
    }
    if meta.get("valence_examples") is not None:
        fields["valence_examples"] = meta["valence_examples"]
        fields["valence"] = bool(meta.get("valence"))
    try:
        return Codebook.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise BadExchangeFile(f"The codes do not make a qualcode codebook ({where}: {error['msg']}).",
                              path=path) from None


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MEMBER + 1)
    except OSError as exc:
        raise BadExchangeFile(f"The file cannot be read ({exc.strerror}).", path=path) from None
    if len(data) > MAX_MEMBER:
        raise BadExchangeFile(f"The file is larger than {MAX_MEMBER // 1_000_000} MB; no codebook is.", path=path)
    return data


def _imported_from(path: Path, origin: str | None) -> str:
    return f"Imported from {path.name}" + (f" (written by {origin})." if origin else ".")


def _node(element: ET.Element, path: Path) -> _Node:
    guid, name = element.get("guid"), element.get("name")
    if guid is None or name is None:
        raise BadExchangeFile("A Code has no guid or no name.", path=path)
    kids = [node for node in (_node(e, path) for e in children(element, "Code")) if node.useful]
    return _Node(norm_guid(guid), name.strip(), element.get("isCodable", "true").strip().lower() in ("true", "1"),
                 child_text(element, "Description"), kids)


def own_code_id(guid: str, description: str | None) -> str | None:
    """The qualcode id a code was exported with, when its Description names one that its GUID confirms."""
    for line in (description or "").splitlines():
        if line.startswith(ID_LINE):
            code_id = line[len(ID_LINE):].strip()
            if _CODE_ID.match(code_id) and code_guid(code_id) == guid:
                return code_id
    return None


def codes_from_nodes(nodes: list[_Node], path: Path) -> list[dict[str, Any]]:
    """Code fields in depth-first order (parents before children), every id unique."""
    used: set[str] = set()

    def collect(node: _Node) -> None:
        own = own_code_id(node.guid, node.description)
        if own is not None:
            used.add(own)
        for kid in node.kids:
            collect(kid)

    for node in nodes:
        collect(node)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def visit(node: _Node, parent: str | None) -> None:
        own = own_code_id(node.guid, node.description)
        if own is not None and own not in seen:
            code = {"id": own, **parse_code_description(node.description or "", own, path)}
        else:
            candidate = f"{parent}.{slug(node.name)}" if parent else slug(node.name)
            code_id = unique(candidate, used)
            used.add(code_id)
            definition = " ".join((node.description or "").split())
            code = {"id": code_id, "definition": definition or f"Imported from {path.name}: {node.name}"}
        seen.add(code["id"])
        out.append({**code, "label": node.name or code["id"], "parent": parent})
        for kid in node.kids:
            visit(kid, code["id"])

    for node in nodes:
        visit(node, None)
    return out


def parse_code_description(text: str, code_id: str, path: Path) -> dict[str, Any]:
    """The fields `describe_code` wrote: definition (the first paragraph), sections and threshold."""
    head, _, rest = text.replace("\r\n", "\n").strip().partition("\n\n")
    fields: dict[str, Any] = {"definition": " ".join(head.split())}
    sections, others = _bullet_sections(rest.split("\n"), {header: name for name, header in CODE_SECTIONS})
    fields |= sections
    for line in others:
        if line.startswith(THRESHOLD_LINE):
            try:
                fields["threshold"] = float(line[len(THRESHOLD_LINE):])
            except ValueError:
                raise BadExchangeFile(f"Code {code_id!r} has a threshold that is not a number.", path=path) from None
    if "patterns" in fields:
        try:
            fields["patterns"] = [json.loads(p) for p in fields["patterns"]]
        except json.JSONDecodeError:
            raise BadExchangeFile(f"Code {code_id!r} has a token pattern that is not JSON.", path=path) from None
    return fields


def _bullet_sections(lines: list[str], headers: dict[str, str]) -> tuple[dict[str, list[str]], list[str]]:
    """The bulleted lists a description holds under known headers (`Examples:`, then `- item` lines, continued
    by two-space indents), keyed by field name; and the lines outside any list."""
    sections: dict[str, list[str]] = {}
    others: list[str] = []
    current: list[str] | None = None
    for line in lines:
        if line.startswith("  ") and current:
            current[-1] += "\n" + line[2:]
        elif line.strip() in headers:
            current = sections.setdefault(headers[line.strip()], [])
        elif line.startswith("- ") and current is not None:
            current.append(line[2:])
        else:
            current = None
            others.append(line)
    return sections, others


def _codebook_meta(root: ET.Element) -> dict[str, Any]:
    """Name, version, author, description and valence examples from the Set qualcode exported, if any."""
    for book in (s for sets in children(root, "Sets") for s in children(sets, "Set")):
        text = (child_text(book, "Description") or "").replace("\r\n", "\n")
        lines = text.split("\n")
        if not lines[0].startswith(BOOK_LINE):
            continue
        name = lines[0][len(BOOK_LINE):].strip()
        if codebook_guid(name) != norm_guid(book.get("guid", "")):
            continue
        return {"name": name, **_parse_codebook_description(lines[1:])}
    return {}


def _parse_codebook_description(lines: list[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    keys = {"Version: ": "version", "Author: ": "author", "Valence: ": "valence"}
    while lines and any(lines[0].startswith(k) for k in keys):
        key = next(k for k in keys if lines[0].startswith(k))
        meta[keys[key]] = lines.pop(0)[len(key):].strip()
    meta["valence"] = meta.get("valence") == "yes"
    headers = {header: name for name, header in VALENCE_SECTIONS}
    first = next((i for i, line in enumerate(lines) if line.strip() in headers), len(lines))
    meta["description"] = "\n".join(lines[:first]).strip()
    examples, _ = _bullet_sections(lines[first:], headers)
    if all(examples.get(name) for name, _ in VALENCE_SECTIONS):
        meta["valence_examples"] = ValenceExamples.model_validate(examples)
    return meta


def slug(name: str) -> str:
    """A code-id part from a name: ASCII, lower case, `_` between words, starting with a letter."""
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    if not text:  # a name in a script without ASCII letters: stable, if not pretty
        return "code_" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return text if text[0].isalpha() else f"code_{text}"


def unique(candidate: str, used: set[str]) -> str:
    if candidate not in used:
        return candidate
    number = 2
    while f"{candidate}_{number}" in used:
        number += 1
    return f"{candidate}_{number}"


# --- qualcode YAML ---------------------------------------------------------------------------------------

def codebook_yaml(codebook: Codebook) -> str:
    """The codebook in qualcode's YAML format (what `load_codebook` reads), empty fields left out."""
    data: dict[str, Any] = {"name": codebook.name, "version": codebook.version}
    if codebook.author:
        data["author"] = codebook.author
    if codebook.description:
        data["description"] = codebook.description
    data["valence"] = codebook.valence
    if codebook.valence_examples is not None:
        data["valence_examples"] = codebook.valence_examples.model_dump()
    data["codes"] = [_code_yaml(code) for code in codebook.codes]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)


def _code_yaml(code: Code) -> dict[str, Any]:
    head: dict[str, Any] = {"id": code.id}
    if code.parent is not None:
        head["parent"] = code.parent
    head |= {"label": code.label, "definition": code.definition}
    return head | code.model_dump(exclude_defaults=True, exclude={"id", "parent", "label", "definition"})


def write_codebook_yaml(codebook: Codebook, path: Path) -> None:
    """Write the codebook as a YAML file a project can name in `coding.codebook`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(codebook_yaml(codebook), encoding="utf-8")
