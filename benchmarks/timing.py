"""Timing shared by the benchmarks: best of N, since the fastest run is the one least disturbed by noise; and a
whole command timed as a user runs it."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable

DONE = (0, 3)  # qualcode's exit codes for work done: all of it, or with some files set aside (EXIT_PARTIAL)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def timed_process(command: list[str]) -> float:
    """Seconds `command` takes as a whole process, its output discarded. A command that fails gives no figure.

    Raises:
        RuntimeError: it failed (the end of what it said on stderr is in the message).
    """
    start = time.perf_counter()
    done = subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**os.environ, "COLUMNS": "200"})
    seconds = time.perf_counter() - start
    if done.returncode not in DONE:
        raise RuntimeError(f"{' '.join(command[:4])} failed ({done.returncode}): "
                           f"{done.stderr.decode(errors='replace')[-2000:]}")
    return seconds
