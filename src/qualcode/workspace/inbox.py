"""What waits in a project's inbox and which of it the store lacks: decided from file hashes alone, without
importing the gate or loading a model, so deciding that a night has nothing new costs next to nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from qualcode.fingerprint import hash_file
from qualcode.ingest.metadata import MANIFEST_NAME
from qualcode.project import QUARANTINE_DIR, REJECTED_DIR, Project
from qualcode.store import Store

MB = 1_000_000


def inbox_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox, in a stable order; manifests, hidden files and rejects are not sources. Links
    (to a file or a folder) are listed too, never followed: ingest sets them aside, so nothing outside the inbox
    is read by way of it."""
    if not inbox.is_dir():
        return []
    return sorted(
        p for p in inbox.rglob("*")
        if (p.is_symlink() or p.is_file()) and p.name != MANIFEST_NAME and not p.name.startswith((".", "~$"))
        and not {REJECTED_DIR, QUARANTINE_DIR} & set(p.relative_to(inbox).parts)
    )


def pending(project: Project, store: Store, files: list[Path]) -> Iterator[Path]:
    """The files whose content the store lacks (by streamed hash), in order: those a run will read. Links, files
    over the size cap (never hashed) and unreadable files count: ingest sets them aside with a reason."""
    cap = project.config.inbox.max_file_mb * MB
    for path in files:
        try:
            if path.is_symlink() or path.stat().st_size > cap or not store.has_content(hash_file(path)):
                yield path
        except OSError:
            yield path


def anything_new(project: Project, files: list[Path] | None = None) -> bool:
    """Whether any inbox file is not yet in the store."""
    files = inbox_files(project.inbox) if files is None else files
    if not files:
        return False
    with Store(project.store_path) as store:
        return next(pending(project, store, files), None) is not None
