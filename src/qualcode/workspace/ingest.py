"""Ingesting a project's inbox into its store: the edge where files are read, stored and set aside.

The whole run is one transaction: a run killed half way leaves the store as it was, and the next run does
the work. Files that cannot be read are moved to `inbox/_rejected/` with a reason file, after the commit.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from qualcode.anonymise.detector import Detector
from qualcode.anonymise.gate import Anonymiser
from qualcode.anonymise.pseudonyms import Pseudonyms, load_or_create_secret, read_key, write_key
from qualcode.errors import DuplicateSourceId, FolderNotFound, InputError, QualcodeError, Quarantined
from qualcode.ingest.metadata import MANIFEST_NAME, Manifest, ManifestEntry, read_manifest
from qualcode.ingest.readers import content_hash, read_source, scrub_path
from qualcode.models import Source
from qualcode.nlp import sentence_pipeline
from qualcode.project import QUARANTINE_DIR, REJECTED_DIR, Project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace.results import FileOutcome, IngestReport
from qualcode.workspace.wiring import project_detector

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
REASON_SUFFIX = ".reason.txt"


def inbox_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox, in a stable order; manifests, hidden files and rejects are not sources."""
    if not inbox.is_dir():
        return []
    return sorted(
        p for p in inbox.rglob("*")
        if p.is_file() and p.name != MANIFEST_NAME and not p.name.startswith((".", "~$"))
        and not {REJECTED_DIR, QUARANTINE_DIR} & set(p.relative_to(inbox).parts)
    )


def ingest_inbox(project: Project, *, segmenter: Segmenter | None = None, detector: Detector | None = None,
                 progress: ProgressCallback | None = None) -> IngestReport:
    """Read every new file in the inbox into the store; files already there (same content) are skipped.

    Every file passes the anonymisation gate first: the store only ever sees pseudonymised text.
    """
    files = inbox_files(project.inbox)
    manifests = _manifests(project.inbox, files)  # never refused: a manifest's problems are warnings
    if not anything_new(project, files):
        # a nightly rerun with nothing new loads no model at all
        report = IngestReport([FileOutcome(f.relative_to(project.inbox).as_posix(), "skipped",
                                           reason="already ingested (same content)") for f in files])
        log.info("Ingest: nothing new (%d files already ingested)", len(files))
        return report
    segmenter = segmenter or Segmenter(sentence_pipeline(project.config.spacy_model),
                                       project.config.segmentation.settings())
    settings = project.config.anonymisation
    detector = detector or project_detector(project)
    key = read_key(project.key_path) if settings.keep_key else {}
    report = IngestReport()
    with Store(project.store_path) as store, store.transaction():
        pseudonyms = Pseudonyms(load_or_create_secret(project.secret_path), known=store.pseudonyms(), key=key)
        gate = Anonymiser(detector, pseudonyms, settings.residual_threshold)
        for folder, manifest in sorted(manifests.items()):
            shown = scrub_path(gate, (folder / MANIFEST_NAME).relative_to(project.inbox).as_posix())
            report.warnings.extend(f"{shown}: {note[:1].upper()}{note[1:]}" for note in manifest.warnings)
        for warning in report.warnings:
            log.warning(warning)
        run = store.start_ingest_run()
        seen: dict[str, str] = {}
        for done, path in enumerate(files, start=1):
            report.outcomes.append(_ingest_one(project, store, segmenter, gate, path, manifests, seen, run))
            if progress is not None:
                progress(done, len(files))
        store.add_pseudonyms(pseudonyms.assigned)
        if settings.keep_key and pseudonyms.assigned:
            write_key(project.key_path, key, pseudonyms.assigned)  # before the commit: a key never lags the store
        store.finish_ingest_run(run, added=len(report.added), skipped=len(report.skipped),
                                rejected=len(report.set_aside))
    for outcome in report.set_aside:
        _set_aside(project, outcome)
    log.info("Ingest: %d added, %d skipped, %d rejected, %d quarantined", len(report.added), len(report.skipped),
             len(report.rejected), len(report.quarantined))
    return report


def read_folder(folder: Path) -> Iterator[Source]:
    """The sources in a corpus folder, with their manifests, read as they are (no anonymisation gate): for
    corpora that are already anonymised, such as the bundled samples. Unreadable files and READMEs are skipped."""
    files = [f for f in inbox_files(folder) if f.stem.upper() != "README"]
    manifests = _manifests(folder, files)
    for path in files:
        try:
            yield read_source(path, path.read_bytes(), name=path.relative_to(folder).as_posix(),
                              manifest=_manifest_entry(path, manifests))[0]
        except InputError:
            continue


def anything_new(project: Project, files: list[Path] | None = None) -> bool:
    """Whether any inbox file is not yet in the store (an unreadable file counts: ingest reports it)."""
    files = inbox_files(project.inbox) if files is None else files
    if not files:
        return False
    with Store(project.store_path) as store:
        for path in files:
            try:
                if not store.has_content(content_hash(path.read_bytes())):
                    return True
            except OSError:
                return True
    return False


def _ingest_one(project: Project, store: Store, segmenter: Segmenter, gate: Anonymiser, path: Path,
                manifests: dict[Path, Manifest], seen: dict[str, str], run: int) -> FileOutcome:
    """One file: stored whole, or not at all (a savepoint), with a reason that never repeats a raw value."""
    name = path.relative_to(project.inbox).as_posix()
    try:
        data = path.read_bytes()
        digest = content_hash(data)
        if store.has_content(digest) or digest in seen:
            return FileOutcome(name, "skipped", reason="already ingested (same content)")
        source, warnings = read_source(path, data, name=name, manifest=_manifest_entry(path, manifests),
                                       require_metadata=project.config.require_metadata, gate=gate)
        existing = store.source_path(source.id)
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


def _set_aside(project: Project, outcome: FileOutcome) -> None:
    """Move a refused file out of the inbox with a reason file beside it; never overwrite an earlier one."""
    source = project.inbox / outcome.name
    if not source.exists():
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
    set_aside = {content_hash(p.read_bytes()) for aside in (project.rejected, project.quarantine)
                 if aside.is_dir() for p in aside.rglob("*") if p.is_file() and not p.name.endswith(REASON_SUFFIX)}
    copied = 0
    with Store(project.store_path) as store:
        for path in inbox_files(folder):
            destination = target / path.relative_to(folder)
            if path.stem.upper() == "README" or destination.exists():
                continue
            digest = content_hash(path.read_bytes())
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
