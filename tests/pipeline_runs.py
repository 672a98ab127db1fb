"""Running qualcode commands in subprocesses the way a user does, and reading what they left, for the flow tests."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd

from conftest import REPO, REVIEW_WEEK
from qualcode.project import init_project

QUALCODE = [sys.executable, "-m", "qualcode.cli"]


def run(args: list[str], env: dict[str, str], timeout: int = 300, code: int = 0
        ) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*QUALCODE, *args], capture_output=True, text=True, env=env, cwd=REPO,
                            timeout=timeout)
    assert result.returncode == code, result.stdout + result.stderr
    return result


def said(result: subprocess.CompletedProcess[str]) -> str:
    """What a run printed and logged, with rich's line wrapping undone."""
    return " ".join((result.stdout + result.stderr).split())


def table(project: Path, query: str) -> pd.DataFrame:
    with sqlite3.connect(f"file:{project / 'qualcode.db'}?mode=ro", uri=True) as db:
        return pd.read_sql_query(query, db)


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def new_project(root: Path, *days: str) -> Path:
    project = init_project(root)
    shutil.copyfile(REVIEW_WEEK / "hypotheses.yaml", project.root / "hypotheses.yaml")
    for day in days:
        shutil.copytree(REVIEW_WEEK / day, project.inbox / day)
    return project.root
