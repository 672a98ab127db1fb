"""One run at a time on a project: a scheduled night and a person's `ingest` never write the store together.

The lock is an OS file lock (`filelock`), so it is released when its process ends, however it ends. Beside it a
small note says who holds it (process, command, since), so a run that has to wait can say what it waits for.
Within one process the lock is re-entrant across threads: the nightly flow holds it while its tasks, on Prefect's
worker threads, take it again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from qualcode.errors import ProjectBusy

log = logging.getLogger(__name__)
LOCK_NAME = ".qualcode.lock"
HOLDER_NAME = ".qualcode.lock.json"
WAIT_SECONDS = 600.0  # a second run waits this long for the first, then stops and says who holds the project


@contextmanager
def project_lock(root: Path, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the project at `root` for one run; wait up to `wait` seconds for another run to finish."""
    lock = FileLock(root / LOCK_NAME, thread_local=False, is_singleton=True)
    holder = root / HOLDER_NAME
    if not lock.is_locked:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.warning("Waiting for another run on this project (%s)", _describe(holder))
            try:
                lock.acquire(timeout=wait)
            except Timeout:
                raise ProjectBusy(f"Another run holds this project ({_describe(holder)}) and did not finish "
                                  f"within {wait:.0f} s.", path=root,
                                  hint="Wait for it to finish, or stop it; a run that died holds nothing.") from None
        first = True
    else:
        lock.acquire()
        first = False
    try:
        if first:
            _write_holder(holder)
        yield
    finally:
        if first:
            holder.unlink(missing_ok=True)
        lock.release()


def _write_holder(holder: Path) -> None:
    note = {"pid": os.getpid(), "command": " ".join(Path(a).name if i == 0 else a for i, a in enumerate(sys.argv[:2])),
            "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    holder.write_text(json.dumps(note), encoding="utf-8")


def _describe(holder: Path) -> str:
    try:
        note = json.loads(holder.read_text(encoding="utf-8"))
        return f"process {note['pid']}, `{note['command']}`, since {note['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that has not said who it is"
