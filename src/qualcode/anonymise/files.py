"""`qualcode anonymise` on loose files: anonymised copies and a report for a human check, no project needed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from qualcode.anonymise.detector import Detector
from qualcode.anonymise.gate import Anonymiser
from qualcode.anonymise.pseudonyms import Pseudonyms, read_key, write_key
from qualcode.errors import InputError, Quarantined
from qualcode.ingest.metadata import MANIFEST_NAME, Manifest, read_manifest
from qualcode.ingest.readers import read_source, scrub_path
from qualcode.models import Source
from qualcode.outputs import write_csv

REPORT_NAME = "anonymisation-report.csv"
REPORT_COLUMNS = ["source", "entity_type", "count", "placeholder", "status"]
MANIFEST_BESIDE = "the manifest.csv beside it"


@dataclass(frozen=True)
class StandaloneResult:
    """The report (also written as CSV), the copies written, and warnings: what was dropped from a file's
    metadata or turns, by position and field. Nothing here carries a value from a file."""

    report: pd.DataFrame
    written: list[Path]
    warnings: list[str] = field(default_factory=list)


def anonymise_files(paths: list[Path], out: Path, *, detector: Detector, key: Path | None = None,
                    residual_threshold: int = 0) -> StandaloneResult:
    """Anonymise each file into `out` as a transcript with front matter; one report row per placeholder.

    With a key file, placeholders continue those already in it (and it is updated, owner-only); without
    one, placeholders are consistent within this run only.
    """
    existing = read_key(key) if key is not None else {}
    pseudonyms = Pseudonyms(secrets.token_bytes(32), key=existing)
    gate = Anonymiser(detector, pseudonyms, residual_threshold)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    written: list[Path] = []
    warnings: list[str] = []
    manifests: dict[Path, Manifest] = {}
    for path in paths:
        shown = scrub_path(gate, path.name)
        manifest_path = path.parent / MANIFEST_NAME
        manifest = None
        if manifest_path.is_file():
            if path.parent not in manifests:
                manifests[path.parent] = read_manifest(manifest_path)
                for note in manifests[path.parent].warnings:
                    warnings.append(f"{shown}: {MANIFEST_BESIDE}: {note}")
                    rows.append(_warning_row(shown, f"{MANIFEST_BESIDE}: {note}"))
            manifest = manifests[path.parent].get(path.name)
        try:
            source, notes = read_source(path, path.read_bytes(), name=path.name, manifest=manifest, gate=gate)
        except Quarantined as exc:
            rows.append({"source": shown, "entity_type": "RESIDUAL", "count": 1,
                         "placeholder": "", "status": f"quarantined: {_why(exc)}"})
            continue
        except InputError as exc:
            rows.append({"source": shown, "entity_type": "", "count": 0, "placeholder": "",
                         "status": f"not read: {_why(exc)}"})
            continue
        except OSError as exc:
            rows.append({"source": shown, "entity_type": "", "count": 0, "placeholder": "",
                         "status": f"not read: the file could not be read ({exc.strerror or type(exc).__name__})"})
            continue
        # a text copy keeps another format's extension (call.vtt and call.srt stay apart); a .txt stays x.txt
        name = str(source.path)
        target = _unused(out / (name if name.lower().endswith(".txt") else f"{name}.txt"), written)
        target.write_text(_transcript(source), encoding="utf-8")
        written.append(target)
        rows.extend({"source": source.id, "entity_type": kind, "count": count, "placeholder": place,
                     "status": "anonymised"} for kind, place, count in source.redactions)
        if not source.redactions:
            rows.append({"source": source.id, "entity_type": "", "count": 0, "placeholder": "",
                         "status": "anonymised (nothing found)"})
        for note in notes:
            warnings.append(note)
            rows.append(_warning_row(source.id, note.removeprefix(f"{source.path}: ")))
    report = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    write_csv(report, out / REPORT_NAME)
    if key is not None and pseudonyms.assigned:
        write_key(key, existing, pseudonyms.assigned)
    return StandaloneResult(report, written, warnings)


def _why(exc: InputError) -> str:
    """The error's code, line and message: never its path (the caller names the file as the gate shows it)."""
    line = f"line {exc.line}: " if exc.line is not None else ""
    return f"[{exc.code}] {line}{exc.message}"


def _warning_row(source: str, note: str) -> dict[str, object]:
    return {"source": source, "entity_type": "", "count": 0, "placeholder": "", "status": f"warning: {note}"}


def _unused(target: Path, written: list[Path]) -> Path:
    """Two files given with the same name (from two folders) get two copies, not one overwriting the other."""
    counter = 2
    candidate = target
    while candidate in written:
        candidate = target.with_name(f"{target.name.removesuffix('.txt')}-{counter}.txt")
        counter += 1
    return candidate


def _transcript(source: Source) -> str:
    """The anonymised source as a plain-text transcript that `qualcode ingest` reads back."""
    meta = source.meta.model_dump(mode="json", exclude_defaults=True)
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n{source.text}"
