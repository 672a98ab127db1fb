"""Helper processes end with the qualcode process that started them, even when it is killed outright (SIGKILL
leaves no chance to stop them): a daemon thread in the helper watches for its parent to change."""

from __future__ import annotations

import os
import threading
import time


def exit_with_parent(parent: int, poll: float = 1.0) -> None:
    """In a helper process (a Prefect server, an ingest worker) started by process `parent`: exit as soon as that
    process is gone, instead of holding memory, files and the project's database for ever. `parent` is passed in,
    not read here: a helper still starting when its parent is killed has already been handed to another."""
    if os.getppid() != parent:
        os._exit(0)

    def watch() -> None:
        while True:
            time.sleep(poll)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
