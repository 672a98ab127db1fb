"""A project out as a REFI-QDA `.qdpx`: its sources, machine codings and people's decisions, for NVivo,
ATLAS.ti, MAXQDA or QualCoder.

Each source is a TextSource whose text is exactly what the store holds (`sources/<guid>.txt`, UTF-8), so
selection offsets are the store's code-point offsets unchanged (REFI-QDA counts code points too). Each
coding is its own PlainTextSelection over its statement's [start, end) holding one Coding, because that is
what QualCoder reads: it takes the owner and date from the selection (`creatingUser`, `creationDateTime`)
and the coding's memo from the selection's `Description`, so several Codings on one selection would share
one owner and one memo. Each assigned machine code on a statement (of the project codebook's current
version, unless a person rejected it) is a coding by a user named for the model, with confidence, valence,
method and codebook version in its note; each accept or add decision is a coding by a user named for the
coder. The note is written twice: as the selection's Description (QualCoder, MAXQDA) and as a Note the
Coding refers to (the standard's own place). Sources are attributed to a `qualcode ingest` user on the day
they were ingested. Users are listed people first: QualCoder makes the first user its coder name. Roles,
agencies and sites become Cases. GUIDs are uuid5 over stable keys and zip entries carry a fixed date, so
exporting an unchanged project twice gives identical bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode.codebook.model import Codebook
from qualcode.exchange.codebook import ORIGIN, add_codes, code_guid
from qualcode.exchange.xmltools import PROJECT_NS, make_guid, root_element, sub, to_bytes, xsd_datetime
from qualcode.models import UNKNOWN

PROJECT_FILE = "project.qde"
SOURCES_DIR = "sources"
MACHINE_USER = "qualcode machine coding"
INGEST_USER = "qualcode ingest"  # the user sources are attributed to: qualcode read them in
INGEST_USER_KEY = "tool:ingest"
USER_ORDER = {"person": 0, "machine": 1, "tool": 2}  # QualCoder's coder name is the first user
MACHINE_NOTE = "qualcode machine coding of "
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date zip can store: entries must not carry the export time
KEPT = ("accept", "add")
# Metadata written as Variables on every source; the first three also become Cases.
CASE_VARIABLES = ("role", "agency", "site")
TEXT_VARIABLES = (*CASE_VARIABLES, "site_type", "source_type")
DECISION_LINE = "qualcode decision: "
VALENCE_LINE = "valence: "


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote, for the command's closing line."""

    path: Path
    sources: int
    selections: int
    machine_codings: int
    people_codings: int
    rejected: int  # machine codings left out because a person rejected them
    left_out: int  # decisions on a code that is no longer in the project codebook
    users: int
    cases: int


@dataclass(frozen=True)
class _Coding:
    segment_id: str
    code_id: str
    user: str  # key into the users table
    created: str | None
    note: str
    key: str  # stable key for this coding's GUIDs


def machine_user_key(model: str) -> str:
    return f"machine:{model}"


def person_user_key(coder: str) -> str:
    return f"person:{coder}"


def user_guid(key: str) -> str:
    return make_guid("user", key)


def source_guid(source_id: str) -> str:
    return make_guid("source", source_id)


def qdpx_entries(name: str, codebook: Codebook, sources: pd.DataFrame, texts: Mapping[str, str],
                 segments: pd.DataFrame, codings: pd.DataFrame, decisions: pd.DataFrame,
                 ) -> tuple[dict[str, bytes], dict[str, int]]:
    """The zip entries (`project.qde` first, then each source text) and the counts for the summary.

    Args:
        sources: `Store.sources()`; texts: each source's stored text by source id.
        segments, codings, decisions: `Store.segments()`, `Store.codings()`, `Store.decisions(codebook.name)`.
    """
    sources = sources.sort_values("source_id", kind="stable")
    known = {code.id for code in codebook.codes}
    located = {str(r.segment_id): (str(r.source_id), int(r.start), int(r.end)) for r in segments.itertuples()}
    machine, rejected = _machine_codings(codebook, codings, decisions, known, located)
    people, left_out = _people_codings(decisions, known, located)
    marks = machine + people
    users = _users(marks)
    if len(sources):
        users[INGEST_USER_KEY] = INGEST_USER

    root = root_element(PROJECT_NS, "Project", {"name": name, "origin": ORIGIN})
    if users:
        users_element = sub(root, "Users")
        for key, user_name in sorted(users.items(), key=lambda item: (USER_ORDER[item[0].split(":")[0]], item[1])):
            sub(users_element, "User", {"guid": user_guid(key), "name": user_name, "id": key})
    add_codes(sub(sub(root, "CodeBook"), "Codes"), codebook)
    variables = sub(root, "Variables")
    for variable in (*TEXT_VARIABLES, "date"):
        sub(variables, "Variable", {"guid": make_guid("variable", variable), "name": variable,
                                    "typeOfVariable": "Date" if variable == "date" else "Text"})
    cases = _cases(root, sources, segments)

    order = {code.id: number for number, code in enumerate(codebook.codes)}
    by_source: dict[str, dict[str, list[_Coding]]] = {}
    for mark in marks:
        by_source.setdefault(located[mark.segment_id][0], {}).setdefault(mark.segment_id, []).append(mark)
    notes: list[tuple[_Coding, str]] = []
    entries: dict[str, bytes] = {}
    sources_element = sub(root, "Sources") if len(sources) else root  # the schema refuses an empty Sources
    selections = 0
    for row in sources.itertuples():
        source_id = str(row.source_id)
        guid = source_guid(source_id)
        entries[f"{SOURCES_DIR}/{guid}.txt"] = texts[source_id].encode("utf-8")
        element = sub(sources_element, "TextSource", {
            "guid": guid, "name": source_id, "plainTextPath": f"internal://{guid}.txt",
            "creatingUser": user_guid(INGEST_USER_KEY),
            "creationDateTime": xsd_datetime(getattr(row, "ingested_on", None))})
        coded = by_source.get(source_id, {})
        for segment_id in sorted(coded, key=lambda s: (located[s][1], located[s][2], s)):
            _, start, end = located[segment_id]
            for mark in sorted(coded[segment_id], key=lambda m: (USER_ORDER[m.user.split(":")[0]], users[m.user],
                                                                   order[m.code_id])):
                selections += 1
                selection = sub(element, "PlainTextSelection", {
                    "guid": make_guid("selection", mark.key), "name": segment_id,
                    "startPosition": str(start), "endPosition": str(end),
                    "creatingUser": user_guid(mark.user), "creationDateTime": mark.created})
                sub(selection, "Description", text=mark.note)
                coding = sub(selection, "Coding", {"guid": make_guid("coding", mark.key),
                                                   "creatingUser": user_guid(mark.user),
                                                   "creationDateTime": mark.created})
                sub(coding, "CodeRef", {"targetGUID": code_guid(mark.code_id)})
                note_guid = make_guid("note", mark.key)
                sub(coding, "NoteRef", {"targetGUID": note_guid})
                notes.append((mark, note_guid))
        _variable_values(element, row)
    if notes:
        notes_element = sub(root, "Notes")
        for mark, note_guid in notes:
            note = sub(notes_element, "Note", {"guid": note_guid, "name": f"{mark.code_id} on {mark.segment_id}",
                                               "creatingUser": user_guid(mark.user), "creationDateTime": mark.created})
            sub(note, "PlainTextContent", text=mark.note)
    summary = {"sources": len(sources), "selections": selections, "machine_codings": len(machine),
               "people_codings": len(people), "rejected": rejected, "left_out": left_out, "users": len(users),
               "cases": cases}
    return {PROJECT_FILE: to_bytes(root), **dict(sorted(entries.items()))}, summary


def _machine_codings(codebook: Codebook, codings: pd.DataFrame, decisions: pd.DataFrame, known: set[str],
                     located: Mapping[str, tuple[str, int, int]]) -> tuple[list[_Coding], int]:
    """Assigned machine codes (`codings`: the current coding digest's), less those a person rejected."""
    chosen = codings[(codings["codebook"] == codebook.name) & codings["assigned"].astype(bool)
                     & codings["code_id"].isin(known) & codings["segment_id"].isin(located.keys())]
    refused = {(str(r.segment_id), str(r.code_id)) for r in decisions.itertuples() if r.decision == "reject"}
    marks, rejected = [], 0
    for row in chosen.itertuples():
        segment_id, code_id, model = str(row.segment_id), str(row.code_id), str(row.model)
        if (segment_id, code_id) in refused:
            rejected += 1
            continue
        valence = row.valence if isinstance(row.valence, str) else "none"
        note = "\n".join([
            f"{MACHINE_NOTE}{code_id}", f"confidence: {float(row.confidence):.3f}",
            f"{VALENCE_LINE}{valence}", f"method: {row.method}", f"rank: {row.rank}",
            f"codebook: {codebook.name} {codebook.version}", f"model: {model}", f"coding digest: {row.digest}"])
        marks.append(_Coding(segment_id, code_id, machine_user_key(model), xsd_datetime(row.coded_at), note,
                             f"machine:{model}:{codebook.name}:{row.digest}:{segment_id}:{code_id}"))
    return marks, rejected


def _people_codings(decisions: pd.DataFrame, known: set[str], located: Mapping[str, tuple[str, int, int]],
                    ) -> tuple[list[_Coding], int]:
    """Accept and add decisions, each a coding by its coder (rejections only remove machine codings)."""
    marks, left_out = [], 0
    for row in decisions.itertuples():
        if row.decision not in KEPT:
            continue
        segment_id, code_id, coder = str(row.segment_id), str(row.code_id), str(row.coder)
        if code_id not in known or segment_id not in located:
            left_out += 1
            continue
        lines = [f"{DECISION_LINE}{row.decision}", f"code: {code_id}"]
        if isinstance(row.valence, str) and row.valence:
            lines.append(f"{VALENCE_LINE}{row.valence}")
        marks.append(_Coding(segment_id, code_id, person_user_key(coder), xsd_datetime(row.decided_at),
                             "\n".join(lines), f"person:{coder}:{row.codebook}:{segment_id}:{code_id}"))
    return marks, left_out


def _users(marks: list[_Coding]) -> dict[str, str]:
    """User key -> the name other tools show: the model for machine codings, the coder for people's."""
    users: dict[str, str] = {}
    for mark in marks:
        kind, _, who = mark.user.partition(":")
        users[mark.user] = f"{MACHINE_USER} ({who})" if kind == "machine" else who
    return users


def _cases(root: ET.Element, sources: pd.DataFrame, segments: pd.DataFrame) -> int:
    """One Case per known role, agency and site, holding the sources where it speaks or is recorded (a focus
    group's source belongs to the case of every role heard in it). 'unknown' makes no case."""
    members: dict[tuple[str, str], set[str]] = {}
    for variable in CASE_VARIABLES:
        for frame in (sources, segments):
            for value, source_id in zip(frame[variable], frame["source_id"], strict=True):
                if isinstance(value, str) and value.strip() and value != UNKNOWN:
                    members.setdefault((variable, value), set()).add(str(source_id))
    if not members:
        return 0
    cases = sub(root, "Cases")
    for (variable, value), source_ids in sorted(members.items()):
        case = sub(cases, "Case", {"guid": make_guid("case", f"{variable}:{value}"), "name": f"{variable}: {value}"})
        value_element = sub(case, "VariableValue")
        sub(value_element, "VariableRef", {"targetGUID": make_guid("variable", variable)})
        sub(value_element, "TextValue", text=value)
        for source_id in sorted(source_ids):
            sub(case, "SourceRef", {"targetGUID": source_guid(source_id)})
    return len(members)


def _variable_values(element: ET.Element, row: object) -> None:
    """The source's metadata as VariableValues (unknown values are left out)."""
    for variable in TEXT_VARIABLES:
        value = getattr(row, variable, None)
        if isinstance(value, str) and value.strip() and value != UNKNOWN:
            holder = sub(element, "VariableValue")
            sub(holder, "VariableRef", {"targetGUID": make_guid("variable", variable)})
            sub(holder, "TextValue", text=value)
    date = getattr(row, "date", None)
    if isinstance(date, str):
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            return
        holder = sub(element, "VariableValue")
        sub(holder, "VariableRef", {"targetGUID": make_guid("variable", "date")})
        sub(holder, "DateValue", text=day.isoformat())


def write_zip(path: Path, entries: Mapping[str, bytes]) -> None:
    """Write the entries in the order given with fixed dates and modes, via a temporary file beside `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w") as archive:
            for name, data in entries.items():
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, whichever system wrote it: same bytes everywhere
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
