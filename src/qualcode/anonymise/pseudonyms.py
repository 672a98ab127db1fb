"""Consistent placeholders across a project, without keeping identifying values in the store.

The store keeps only keyed digests (HMAC-SHA256 under a project secret) of each value it has seen, so the
same child is `[PERSON_3]` on Monday and on Thursday. The optional key file (placeholder -> original) is
the only place originals are written, owner-readable only, and never under `outputs/`.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from qualcode.anonymise.entities import KINDS, placeholder

_TITLES = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|dc|ds|di|dci|pc|sgt|cllr|councillor|nurse|auntie|aunty|uncle|"
                     r"nanna|nan|grandad|baby)\.?\s+")
_IDENTIFIER_KINDS = frozenset({"PHONE", "NHS_NUMBER", "NI_NUMBER", "POSTCODE", "CASE_REF", "VEHICLE"})
KEY_COLUMNS = ("placeholder", "kind", "original", "swept")
# Kinds whose values are looked for again everywhere once found: names, not numbers or ages.
SWEPT_KINDS = frozenset({"PERSON", "PLACE", "SCHOOL", "ORG", "ADDRESS", "HANDLE"})


def normalise_value(kind: str, value: str) -> str:
    """How two spellings of one value are recognised as the same (case, spacing, titles, possessives)."""
    folded = " ".join(value.casefold().split())
    folded = re.sub(r"['’]s$", "", folded)
    if kind in _IDENTIFIER_KINDS:
        return re.sub(r"[^0-9a-z]", "", folded)
    return _TITLES.sub("", folded).strip(" .,;:")


@dataclass(frozen=True)
class Assignment:
    """A placeholder given out in this run: the digest goes to the store, the original only to the key."""

    digest: str
    kind: str
    placeholder: str
    original: str
    confirmed: bool = True


class KeyEntry(NamedTuple):
    """One row of the key: what a placeholder stands for, and whether it is looked for again in later texts."""

    kind: str
    original: str
    swept: bool = True


class Pseudonyms:
    """Hands out placeholders: the same normalised value always gets the same one, whatever kind it was
    first detected as; a person's first and last names alone map to their full name's placeholder."""

    def __init__(self, secret: bytes, known: Mapping[str, str] | None = None,
                 key: Mapping[str, KeyEntry] | None = None) -> None:
        self._secret = secret
        self._by_digest: dict[str, str] = dict(known or {})
        self._originals: dict[str, str] = {}  # normalised confirmed name -> placeholder, in memory only
        self._keyed: dict[str, str] = {}  # every normalised original in the key -> its placeholder
        for place, entry in (key or {}).items():
            self._keyed[normalise_value(entry.kind, entry.original)] = place
            if entry.kind in SWEPT_KINDS and entry.swept:
                self._originals[normalise_value(entry.kind, entry.original)] = place
        self._counts: Counter[str] = Counter()
        for place in [*self._by_digest.values(), *(key or {})]:  # numbering continues after both
            self._count(place)
        self.assigned: list[Assignment] = []

    def digest(self, normalised: str) -> str:
        return hmac.new(self._secret, normalised.encode("utf-8"), hashlib.sha256).hexdigest()

    def placeholder_for(self, kind: str, value: str, confirmed: bool = True) -> str:
        """The value's placeholder; a `confirmed` name is also looked for again in every later text."""
        normalised = normalise_value(kind, value) or value.casefold()
        digest = self.digest(normalised)
        existing = self._by_digest.get(digest) or self._keyed.get(normalised)
        if existing is not None and (digest not in self._by_digest or confirmed):
            self._remember(digest, kind, existing, value, confirmed)
        if existing is None:
            self._counts[KINDS[kind]] += 1
            existing = placeholder(kind, self._counts[KINDS[kind]])
            self._remember(digest, kind, existing, value, confirmed)
        if kind in SWEPT_KINDS and confirmed:
            self._originals[normalised] = existing
        if kind == "PERSON" and confirmed:
            for part in normalised.split():
                if len(part) >= 3:
                    alias = self.digest(part)
                    if alias not in self._by_digest:
                        self._remember(alias, kind, existing, value)
                    self._originals.setdefault(part, existing)
        return existing

    def known_originals(self) -> dict[str, str]:
        """Names of people, places, schools and organisations met in this run (or read from the key), normalised,
        with their placeholders: what the gate sweeps for again in every later text."""
        return dict(self._originals)

    def _remember(self, digest: str, kind: str, place: str, original: str, confirmed: bool = True) -> None:
        self._by_digest[digest] = place
        self.assigned.append(Assignment(digest, kind, place, original, confirmed))

    def _count(self, place: str) -> None:
        match = re.fullmatch(r"\[([A-Z_]+)_(\d+)\]", place)
        if match:
            self._counts[match.group(1)] = max(self._counts[match.group(1)], int(match.group(2)))


# --- files at the edge: the project secret and the key -------------------------------------------------------

def load_or_create_secret(path: Path) -> bytes:
    """The project's digest secret, created owner-only on first use. An empty or damaged file is an error,
    never a reason to make a new secret (a missing one for a store in use is refused by `Project.secret_path`)."""
    from qualcode.errors import MissingSecret

    if path.exists():
        try:
            value = bytes.fromhex(path.read_text(encoding="ascii").strip())
        except (UnicodeDecodeError, ValueError):
            value = b""
        if len(value) < 16:
            raise MissingSecret("The pseudonym secret is empty or damaged.", path=path)
        return value
    value = secrets.token_bytes(32)
    _write_private(path, value.hex() + "\n")
    return value


def read_key(path: Path) -> dict[str, KeyEntry]:
    """placeholder -> (kind, original, swept) from a key file; an absent file is an empty key. A key written
    before the `swept` column existed is swept whole, as it was then."""
    if not path.exists():
        return {}
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return {row["placeholder"]: KeyEntry(row["kind"], row["original"], row.get("swept", "yes") != "no")
            for row in rows}


def write_key(path: Path, existing: Mapping[str, KeyEntry], assigned: Iterable[Assignment]) -> None:
    """Add this run's placeholders to the key, atomically and readable by the owner only."""
    entries = dict(existing)
    for assignment in assigned:
        entry = entries.setdefault(assignment.placeholder,
                                   KeyEntry(assignment.kind, assignment.original, assignment.confirmed))
        if assignment.confirmed and not entry.swept:  # a later, surer finding of the same value
            entries[assignment.placeholder] = entry._replace(swept=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(KEY_COLUMNS)
    for place, entry in sorted(entries.items(), key=lambda item: _sort_key(item[0])):
        writer.writerow((place, entry.kind, entry.original, "yes" if entry.swept else "no"))
    _write_private(path, buffer.getvalue())


def _sort_key(place: str) -> tuple[str, int]:
    match = re.fullmatch(r"\[([A-Z_]+)_(\d+)\]", place)
    return (match.group(1), int(match.group(2))) if match else (place, 0)


def _write_private(path: Path, content: str) -> None:
    """Write owner-only (0600, in a 0700 folder if it makes one), atomically and durably: the file and the
    folder's entry are flushed to disk before this returns, so a crash never leaves a secret half-written."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
