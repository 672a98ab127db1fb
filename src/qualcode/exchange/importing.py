"""People's codings from another tool, brought back as qualcode decisions on the project's statements.

Sources are matched by name (the source id qualcode exported them under, with or without a file extension)
when the text in the file is the stored text, else by identical text: offsets only mean something against
the exact text qualcode stored. Codes are matched by GUID (qualcode's deterministic code GUIDs), else by
name against the project codebook's labels or ids. A selection stands for the statements of its source
that it covers at least half of, or the one statement it lies within (see `covered_segments`). Codings by
qualcode's own machine users (or carrying qualcode's machine note) are skipped: those are already in the
store.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from qualcode.codebook.model import VALENCES, Codebook
from qualcode.errors import BadExchangeFile
from qualcode.exchange.codebook import code_guid
from qualcode.exchange.project import (
    DECISION_LINE,
    KEPT,
    MACHINE_NOTE,
    MACHINE_USER,
    VALENCE_LINE,
    machine_user_key,
    user_guid,
)
from qualcode.exchange.reading import QdpxCoding, QdpxProject, QdpxSource
from qualcode.exchange.xmltools import iso_utc
from qualcode.schemas import DECISIONS

log = logging.getLogger(__name__)
DECISION_COLUMNS = DECISIONS.names
UNKNOWN_CODER = "unknown coder"


def decisions_from(exchange: QdpxProject, codebook: Codebook, texts: Mapping[str, str], segments: pd.DataFrame,
                   models: Iterable[str], path: Path, now: str) -> pd.DataFrame:
    """The decisions a parsed `.qdpx` holds for this project (see `import_codings`); `now` dates codings
    that carry no date."""
    ours = {user_guid(machine_user_key(model)) for model in models}
    users = {user.guid: user for user in exchange.users}
    ours |= {user.guid for user in exchange.users if user.name.startswith(f"{MACHINE_USER} (")}
    # A tool that re-exports the project may drop our machine user; the note still says whose coding it is.
    people = [c for c in exchange.codings
              if c.user not in ours and not (c.note or "").startswith(MACHINE_NOTE)]
    whole = [c for c in people if c.selection is None]
    if whole:
        log.warning("%s: %d coding(s) of whole sources left out; qualcode takes codings of selections only.",
                    path, len(whole))
    sources = {source.guid: source for source in exchange.sources}
    statements: dict[str, list[tuple[str, int, int]]] = {}
    for row in segments.itertuples():
        statements.setdefault(str(row.source_id), []).append((str(row.segment_id), int(row.start), int(row.end)))
    codes = _code_map(exchange, codebook, {c.code for c in people if c.selection is not None}, path)
    matched: dict[str, str] = {}
    rows: list[dict[str, str | None]] = []
    missed = 0
    for coding in people:
        if coding.selection is None:
            continue
        if coding.source not in matched:
            matched[coding.source] = _match_source(sources.get(coding.source), texts, path)
        covered = covered_segments(coding.start, coding.end, statements.get(matched[coding.source], []))
        missed += not covered
        user = users.get(coding.user or "")
        decision, valence = _decision(coding)
        for segment_id in covered:
            rows.append({"segment_id": segment_id, "codebook": codebook.name, "code_id": codes[coding.code],
                         "decision": decision, "valence": valence,
                         "coder": (user.name or user.id or UNKNOWN_CODER) if user else UNKNOWN_CODER,
                         "decided_at": iso_utc(coding.created) or now})
    if missed:
        log.warning("%s: %d selection(s) cover no coded statement (interviewer turns or gaps) and were left out.",
                    path, missed)
    frame = pd.DataFrame(rows, columns=DECISION_COLUMNS).astype(object)
    frame = frame.sort_values("decided_at", kind="stable").drop_duplicates(["segment_id", "code_id", "coder"],
                                                                           keep="last")
    return frame.sort_values(["segment_id", "code_id"], kind="stable").reset_index(drop=True)


def covered_segments(start: int, end: int, segments: Sequence[tuple[str, int, int]]) -> list[str]:
    """The statements a selection [start, end) stands for: every one it covers at least half of, and the one
    it lies within (a person who codes a phrase codes its statement). Offsets are code points.

    Args:
        segments: (segment_id, start, end) of the source's statements.
    """
    covered = []
    for segment_id, first, last in segments:
        overlap = min(end, last) - max(start, first)
        within = first <= start < last and end <= last
        if within or (last > first and 2 * overlap >= last - first):
            covered.append(segment_id)
    return covered


def _decision(coding: QdpxCoding) -> tuple[str, str | None]:
    """'add', unless the coding's note is one qualcode wrote for a person's decision (then that decision and
    valence come back as they were)."""
    decision, valence = "add", None
    if coding.note is None or DECISION_LINE not in coding.note:
        return decision, valence
    for line in coding.note.splitlines():
        value = line.partition(": ")[2].strip()
        if line.startswith(DECISION_LINE) and value in KEPT:
            decision = value
        elif line.startswith(VALENCE_LINE) and value in VALENCES:
            valence = value
    return decision, valence


def _code_map(exchange: QdpxProject, codebook: Codebook, used: set[str], path: Path) -> dict[str, str]:
    """GUID -> leaf code id for every code people coded with; an unknown or non-leaf code stops the import."""
    by_guid = {code_guid(code.id): code.id for code in codebook.codes}
    by_name: dict[str, set[str]] = {}
    for code in codebook.codes:
        for known in (code.label, code.id):
            by_name.setdefault(_key(known), set()).add(code.id)
    names = {code.guid: code.name for code in exchange.codes}
    leaves = {code.id for code in codebook.leaves}
    mapped: dict[str, str] = {}
    for guid in sorted(used):
        name = names.get(guid)
        candidates = {by_guid[guid]} if guid in by_guid else by_name.get(_key(name), set()) if name else set()
        shown = repr(name) if name else f"with GUID {guid}"
        if not candidates:
            raise BadExchangeFile(
                f"Code {shown} is not in codebook {codebook.name!r}.", path=path,
                hint="Name the code in the other tool after a code of the project codebook (its label or id), "
                     "or add it to the codebook, then import again; nothing was imported.")
        if len(candidates) > 1:
            raise BadExchangeFile(f"Code {shown} matches several codes of codebook {codebook.name!r}: "
                                  f"{', '.join(sorted(candidates))}.", path=path,
                                  hint="Rename the code in the other tool to one code's id, then import again.")
        code_id = candidates.pop()
        if code_id not in leaves:
            raise BadExchangeFile(f"Code {shown} is {code_id!r}, a parent code; qualcode codes statements with "
                                  "leaf codes only.", path=path,
                                  hint="Move these codings to one of its child codes in the other tool, then "
                                       "import again; nothing was imported.")
        mapped[guid] = code_id
    return mapped


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _match_source(source: QdpxSource | None, texts: Mapping[str, str], path: Path) -> str:
    """The project source a file's source is: same name and text, else the one with identical text."""
    if source is None:
        raise BadExchangeFile("A coding refers to a source the file does not describe.", path=path)
    names = [source.name, source.name.rsplit(".", 1)[0]]
    for name in names:
        if name in texts and (source.text is None or source.text == texts[name]):
            return name
    if source.text is not None:
        same = sorted(source_id for source_id, text in texts.items() if text == source.text)
        if same:
            return same[0]
    if any(name in texts for name in names):
        raise BadExchangeFile(
            f"Source {source.name!r} has text that differs from the text qualcode stored, so its offsets cannot "
            "be trusted.", path=path,
            hint="Code the texts qualcode exported without editing them, export again and import that file; "
                 "nothing was imported.")
    raise BadExchangeFile(
        f"Source {source.name!r} is not a source of this project (no source has that name or that text).",
        path=path, hint="Import the file into the project it was exported from, or remove the codings of sources "
                        "added in the other tool; nothing was imported.")
