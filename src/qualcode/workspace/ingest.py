"""Ingesting a project's inbox into its store: the edge where files are read, stored and set aside.

The whole run is one transaction: a run killed half way leaves the store as it was, and the next run does
the work. Each file is decided on its own: one that cannot be read is moved to `inbox/_rejected/` with a reason
file before the next is read, one larger than `inbox.max_file_mb` is never read, one still being copied waits for
the next run, and one that two runs died reading (each names it in the inbox's `.qualcode-reading.json`) is set
aside by the next, rather than killing every night after.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from qualcode.anonymise.detector import Detector
from qualcode.anonymise.gate import Anonymiser
from qualcode.anonymise.pseudonyms import Pseudonyms, load_or_create_secret, read_key, write_key
from qualcode.cores import usable_cores
from qualcode.errors import DuplicateSourceId, FolderNotFound, InputError, QualcodeError, Quarantined
from qualcode.fingerprint import hash_file
from qualcode.ingest.indicators import read_indicators
from qualcode.ingest.metadata import MANIFEST_NAME, Manifest, ManifestEntry, read_manifest
from qualcode.ingest.readers import content_hash, default_source_id, read_source, scrub_path
from qualcode.models import Source
from qualcode.project import Project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace.inbox import MB, anything_new, inbox_files, pending
from qualcode.workspace.ingest_workers import detections_ahead, take
from qualcode.workspace.results import FileOutcome, IngestReport
from qualcode.workspace.wiring import project_detector, project_segmenter

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
REASON_SUFFIX = ".reason.txt"
READING = ".qualcode-reading.json"  # the files a run is reading now: hidden, so never taken for a source
DEATHS = 2  # runs that died reading a file before it is set aside: one may have been stopped by hand


def shown_name(path: Path, folder: Path) -> str:
    """A file's name under `folder` as text that can be stored and printed: bytes of a name that are not UTF-8
    (a file from an older system) become U+FFFD, so the name is kept, readable, and never crashes a write."""
    return path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def ingest_inbox(project: Project, *, segmenter: Segmenter | None = None, detector: Detector | None = None,
                 progress: ProgressCallback | None = None, workers: int | None = None) -> IngestReport:
    """Read every new file in the inbox into the store; files already there (same content) are skipped.

    Every file passes the anonymisation gate first: the store only ever sees pseudonymised text. With the project's
    own detector, `workers` processes (default: every core) find identifying spans ahead of this one, which writes
    (`qualcode.workspace.ingest_workers`); an injected detector is used here alone.
    """
    files = inbox_files(project.inbox)
    manifests = _manifests(project.inbox, files)  # never refused: a manifest's problems are warnings
    if not anything_new(project, files):
        # a nightly rerun with nothing new loads no model at all
        report = IngestReport([FileOutcome(f.relative_to(project.inbox).as_posix(), "skipped",
                                           reason="already ingested (same content)") for f in files])
        log.info("Ingest: nothing new (%d files already ingested)", len(files))
        return report
    files, waiting = settled(files, project.config.inbox.settle_seconds)
    segmenter = segmenter or project_segmenter(project)
    settings = project.config.anonymisation
    workers = 1 if detector is not None else workers or usable_cores()
    detector = detector or project_detector(project)
    key = read_key(project.key_path) if settings.keep_key else {}
    report = IngestReport()
    with Store(project.store_path) as store, store.transaction(), \
            detections_ahead(project.root, list(pending(project, store, files)), workers) as ahead:
        pseudonyms = Pseudonyms(load_or_create_secret(project.secret_path), known=store.pseudonyms(), key=key)
        gate = Anonymiser(detector, pseudonyms, settings.residual_threshold)
        for folder, manifest in sorted(manifests.items()):
            shown = scrub_path(gate, (folder / MANIFEST_NAME).relative_to(project.inbox).as_posix())
            report.warnings.extend(f"{shown}: {note[:1].upper()}{note[1:]}" for note in manifest.warnings)
        for warning in report.warnings:
            log.warning(warning)
        run = store.start_ingest_run()
        seen: dict[str, str] = {}
        died_reading = _reading(project)  # name -> how many runs died while reading it
        for done, path in enumerate(files, start=1):
            name = shown_name(path, project.inbox)
            if died_reading.get(name, 0) >= DEATHS:
                outcome = FileOutcome(name, "rejected", reason=(
                    f"{scrub_path(gate, name)}: {died_reading[name]} runs stopped while reading this file (too big "
                    "or damaged for its format?). If they were stopped by hand, move it back into the inbox."))
                died_reading.pop(name)
            else:
                _mark_reading(project, died_reading | {name: died_reading.get(name, 0) + 1})
                take(detector, segmenter, ahead, path)
                outcome = _ingest_one(project, store, segmenter, gate, path, manifests, seen, run)
                died_reading.pop(name, None)
            _mark_reading(project, died_reading)
            report.outcomes.append(outcome)
            if outcome in report.set_aside:
                _set_aside(project, outcome, path)  # now, before the next file: a later crash cannot undo it
            if progress is not None:
                progress(done, len(files))
        report.outcomes.extend(FileOutcome(shown_name(p, project.inbox), "skipped",
                                           reason="still being copied: left for the next run") for p in waiting)
        store.add_pseudonyms(pseudonyms.assigned)
        if settings.keep_key and pseudonyms.assigned:
            write_key(project.key_path, key, pseudonyms.assigned)  # before the commit: a key never lags the store
        store.finish_ingest_run(run, added=len(report.added), skipped=len(report.skipped),
                                rejected=len(report.set_aside))
        detector.known.clear()  # what a worker found in a file this run did not read to the end
        segmenter.known.clear()
    log.info("Ingest: %d added, %d skipped, %d rejected, %d quarantined", len(report.added), len(report.skipped),
             len(report.rejected), len(report.quarantined))
    return report


def read_folder(folder: Path) -> Iterator[Source]:
    """The sources in a corpus folder, with their manifests, read as they are (no anonymisation gate): for
    corpora that are already anonymised, such as the bundled samples. Unreadable files, links and READMEs are
    skipped."""
    files = [f for f in inbox_files(folder) if f.stem.upper() != "README" and not f.is_symlink()]
    manifests = _manifests(folder, files)
    for path in files:
        try:
            yield read_source(path, path.read_bytes(), name=path.relative_to(folder).as_posix(),
                              manifest=_manifest_entry(path, manifests))[0]
        except InputError:
            continue


def manifest_for(project: Project, path: Path) -> ManifestEntry | None:
    """The manifest row that describes one inbox file, if its folder has one."""
    return _manifest_entry(path, _manifests(project.inbox, [path]))


def settled(files: list[Path], seconds: float) -> tuple[list[Path], list[Path]]:
    """(files ready, files still being copied). A file written to within the last `seconds` is watched until
    `seconds` have passed since its last change; if its size or time changes meanwhile, it is still being copied.
    Writing moves a file's time on, so a file untouched for `seconds` is ready without waiting."""
    if seconds <= 0 or not files:
        return files, []

    def state(path: Path) -> tuple[int, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None  # gone or unreadable: ingest reports it
        return stat.st_size, stat.st_mtime_ns

    before = {path: state(path) for path in files}
    now = time.time_ns()
    recent = [p for p, s in before.items() if s is not None and now - s[1] < seconds * 1e9]
    if not recent:
        return files, []
    newest = max(before[p][1] for p in recent)  # type: ignore[index]  # recent files have a state
    time.sleep(min(seconds, max(0.0, seconds - (now - newest) / 1e9)))  # a clock set wrong waits no longer
    changed = {path for path in recent if state(path) != before[path]}
    return [p for p in files if p not in changed], [p for p in files if p in changed]


def _reading(project: Project) -> dict[str, int]:
    """The files runs were reading when they died (each run leaves the name behind), and how many died so."""
    try:
        names = json.loads((project.inbox / READING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(names, dict):
        return {}
    return {str(n): int(c) for n, c in names.items() if isinstance(c, int)}


def _mark_reading(project: Project, names: dict[str, int]) -> None:
    """Name the files being read, replaced whole (never half written); none left: no file."""
    path = project.inbox / READING
    if not names:
        path.unlink(missing_ok=True)
        return
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(names, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def _ingest_one(project: Project, store: Store, segmenter: Segmenter, gate: Anonymiser, path: Path,
                manifests: dict[Path, Manifest], seen: dict[str, str], run: int) -> FileOutcome:
    """One file: stored whole, or not at all (a savepoint), with a reason that never repeats a raw value."""
    name = shown_name(path, project.inbox)
    try:
        if path.is_symlink():
            return FileOutcome(name, "rejected", reason=(
                f"{scrub_path(gate, name)}: a link, not a file. qualcode reads only what is placed in the inbox "
                "itself, never what a link points to: copy the file in."))
        cap = project.config.inbox.max_file_mb
        if path.stat().st_size > cap * MB:
            return FileOutcome(name, "rejected", reason=(
                f"{scrub_path(gate, name)}: {path.stat().st_size / MB:,.0f} MB, more than inbox.max_file_mb "
                f"({cap:g} MB) allows; no transcript is this big, so it was not read (a recording or an archive "
                "dropped in by mistake?). Raise inbox.max_file_mb in qualcode.yaml if it really is one."))
        data = path.read_bytes()
        digest = content_hash(data)
        if store.has_content(digest) or digest in seen:
            return FileOutcome(name, "skipped", reason="already ingested (same content)")
        values = read_indicators(path, data)
        if values is not None:
            return _ingest_data(store, gate, path, name, digest, values, run)
        source, warnings = read_source(path, data, name=name, manifest=_manifest_entry(path, manifests),
                                       require_metadata=project.config.require_metadata, gate=gate)
        existing = store.source_path(source.id) or store.dataset_path(source.id)
        if existing is not None:
            raise DuplicateSourceId(f"Source id {source.id!r} is already used by {existing}.", path=source.path)
        segments = segmenter.segment(source)
        with store.savepoint():
            store.add_source(source, segments, run)
        seen[digest] = name
        log.debug("Stored source %s (%d statements)", source.id, len(segments))
        for warning in warnings:
            log.warning(warning)
        return FileOutcome(name, "added", source.id, len(segments), warnings=tuple(warnings))
    except sqlite3.Error:
        raise  # the store itself failed: the whole run rolls back, no file is blamed
    except Quarantined as exc:
        return FileOutcome(name, "quarantined", reason=refusal(exc, scrub_path(gate, name)))
    except InputError as exc:
        return FileOutcome(name, "rejected", reason=refusal(exc, scrub_path(gate, name)))
    except OSError as exc:
        return FileOutcome(name, "rejected", reason=f"{scrub_path(gate, name)}: the file could not be read "
                                                    f"({_os_problem(exc)}).")
    except Exception as exc:  # a reader bug must not stop the other files; the type, never the content
        log.debug("Unexpected %s reading a file", type(exc).__name__)
        return FileOutcome(name, "rejected", reason=f"{scrub_path(gate, name)}: unexpected {type(exc).__name__} "
                                                    "while reading; please report it.")


def _ingest_data(store: Store, gate: Anonymiser, path: Path, name: str, digest: str, values: pd.DataFrame,
                 run: int) -> FileOutcome:
    """A performance-data table: its figures, with every word it brings passed through the gate."""
    shown = scrub_path(gate, name)
    dataset_id = gate.scrub_name(default_source_id(path))
    existing = store.dataset_path(dataset_id) or store.source_path(dataset_id)
    if existing is not None:
        raise DuplicateSourceId(f"Id {dataset_id!r} is already used by {existing}.", path=shown)
    words = ["indicator", "series", "unit"]  # every text a table brings passes the gate, as a transcript's words do
    said = gate.scrub_values(sorted({str(v) for column in words for v in values[column].dropna()}))
    values = values.assign(**{column: values[column].map(lambda v: said.get(str(v), v) if isinstance(v, str) else v)
                              for column in words})
    gate.check_residual("\n".join(sorted({str(v) for c in [*words, "period"] for v in values[c].dropna()})), shown)
    with store.savepoint():
        store.add_dataset(dataset_id, shown, digest, values, run)
    log.debug("Stored performance data %s (%d figures)", dataset_id, len(values))
    return FileOutcome(name, "added", dataset_id, 0, data=True)


def refusal(exc: QualcodeError, shown: str) -> str:
    """Why a file was set aside, naming it as `shown` (the gate's name for it): the error's code, line, message
    and hint, which never carry a value from the file, and never the path the error was raised with."""
    where = f"{shown}:{exc.line}" if exc.line is not None else shown
    text = f"[{exc.code}] {where}: {exc.message}"
    return f"{text} {exc.hint}" if exc.hint else text


def _os_problem(exc: OSError) -> str:
    """The operating system's words for an error, without the file names it may carry."""
    return exc.strerror or type(exc).__name__


def _manifests(inbox: Path, files: list[Path]) -> dict[Path, Manifest]:
    folders = {inbox} | {parent for f in files for parent in f.parents if inbox in parent.parents}
    return {folder: read_manifest(folder / MANIFEST_NAME)
            for folder in folders if (folder / MANIFEST_NAME).is_file()}


def _manifest_entry(path: Path, manifests: dict[Path, Manifest]) -> ManifestEntry | None:
    for folder in path.parents:
        entries = manifests.get(folder)
        if entries is not None:
            entry = entries.get(path.relative_to(folder).as_posix())
            if entry is not None:
                return entry
    return None


def _set_aside(project: Project, outcome: FileOutcome, source: Path) -> None:
    """Move a refused file (or link) out of the inbox with a reason file beside it; never overwrite an earlier
    one. The moved file takes its shown name."""
    if not source.exists() and not source.is_symlink():
        return
    folder = project.quarantine if outcome.status == "quarantined" else project.rejected
    folder.mkdir(parents=True, exist_ok=True)
    flat = outcome.name.replace("/", "__")
    target = folder / flat
    counter = 2
    while target.exists():
        target = folder / f"{Path(flat).stem}-{counter}{Path(flat).suffix}"
        counter += 1
    shutil.move(str(source), target)
    target.with_name(target.name + REASON_SUFFIX).write_text(f"{outcome.reason}\n", encoding="utf-8")


def copy_into_inbox(project: Project, folder: Path) -> int:
    """Copy a corpus folder's new files into `inbox/<folder name>/`. A file whose content is already stored, or
    was set aside (rejected or quarantined), is not copied again; a file already in the inbox is never
    overwritten; a manifest whose content changed is refreshed. README files describe a corpus and are not
    sources, so they stay behind. Returns how many files were copied."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FolderNotFound("The corpus folder does not exist.", path=folder)
    target = project.inbox / folder.name
    set_aside = {hash_file(p) for aside in (project.rejected, project.quarantine)
                 if aside.is_dir() for p in aside.rglob("*")
                 if p.is_file() and not p.is_symlink() and not p.name.endswith(REASON_SUFFIX)}
    copied = 0
    with Store(project.store_path) as store:
        for path in inbox_files(folder):
            destination = target / path.relative_to(folder)
            if path.stem.upper() == "README" or path.is_symlink() or destination.exists():
                continue
            digest = hash_file(path)
            if digest in set_aside or store.has_content(digest):
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            copied += 1
    for manifest in folder.rglob(MANIFEST_NAME):
        destination = target / manifest.relative_to(folder)
        if not destination.exists() or destination.read_bytes() != manifest.read_bytes():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(manifest, destination)
    return copied
