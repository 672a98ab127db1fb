"""The notebooks run top to bottom on the sample corpora, and are stored without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO, offline_env

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_offline(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env, log = offline_env(tmp_path)
    for name in ("PYTHONPATH", "QUALCODE_NETWORK_LOG", "HOME"):
        monkeypatch.setenv(name, env[name])  # the kernel inherits the guard that refuses non-loopback sockets
    monkeypatch.delenv("QUALCODE_PROJECT", raising=False)
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                   ).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    assert not log.exists(), log.read_text()
