"""`qualcode anonymise` on loose files: anonymised copies and a report for a human check, no project needed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from qualcode.anonymise.detector import Detector
from qualcode.anonymise.gate import Anonymiser
from qualcode.anonymise.pseudonyms import Pseudonyms, read_key, write_key
from qualcode.errors import InputError, Quarantined
from qualcode.ingest.metadata import MANIFEST_NAME, read_manifest
from qualcode.ingest.readers import read_source
from qualcode.models import Source

REPORT_NAME = "anonymisation-report.csv"
REPORT_COLUMNS = ["source", "entity_type", "count", "placeholder", "status"]


@dataclass(frozen=True)
class StandaloneResult:
    report: pd.DataFrame
    written: list[Path]


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
    for path in paths:
        manifest_path = path.parent / MANIFEST_NAME
        manifest = read_manifest(manifest_path).get(path.name) if manifest_path.is_file() else None
        try:
            source, _ = read_source(path, path.read_bytes(), name=path.name, manifest=manifest, gate=gate)
        except Quarantined as exc:
            rows.append({"source": gate.scrub_name(path.name), "entity_type": "RESIDUAL", "count": 1,
                         "placeholder": "", "status": f"quarantined: {exc.message}"})
            continue
        except InputError as exc:
            rows.append({"source": gate.scrub_name(path.name), "entity_type": "", "count": 0, "placeholder": "",
                         "status": f"not read: {exc.message}"})
            continue
        target = out / f"{source.path}.txt"  # keeps the extension: call.vtt and call.srt stay apart
        target.write_text(_transcript(source), encoding="utf-8")
        written.append(target)
        rows.extend({"source": source.id, "entity_type": kind, "count": count, "placeholder": place,
                     "status": "anonymised"} for kind, place, count in source.redactions)
        if not source.redactions:
            rows.append({"source": source.id, "entity_type": "", "count": 0, "placeholder": "",
                         "status": "anonymised (nothing found)"})
    report = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    report.to_csv(out / REPORT_NAME, index=False)
    if key is not None and pseudonyms.assigned:
        write_key(key, existing, pseudonyms.assigned)
    return StandaloneResult(report, written)


def _transcript(source: Source) -> str:
    """The anonymised source as a plain-text transcript that `qualcode ingest` reads back."""
    meta = source.meta.model_dump(mode="json", exclude_defaults=True)
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n{source.text}"
