import sqlite3
from pathlib import Path

import pytest

from qualcode.errors import StoreTooNew
from qualcode.store import SCHEMA_VERSION, Store


def test_new_store_is_at_the_current_schema_version(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.counts() == {"sources": 0, "turns": 0, "segments": 0}
    with Store(tmp_path / "q.db") as again:  # reopening migrates nothing twice
        assert again.schema_version == SCHEMA_VERSION


def test_store_from_a_newer_qualcode_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreTooNew) as caught:
        Store(path)
    assert "upgrade" in str(caught.value)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    with Store(tmp_path / "q.db") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.start_ingest_run()
            raise RuntimeError("interrupted")
        with store.transaction():
            run = store.start_ingest_run()
    assert run == 1 or run == 2  # AUTOINCREMENT may skip the rolled-back id; the row itself is gone
    with sqlite3.connect(tmp_path / "q.db") as db:
        assert db.execute("SELECT COUNT(*) FROM ingest_runs").fetchone()[0] == 1


def _open(path: str) -> int:
    with Store(Path(path)) as store:
        return store.schema_version


@pytest.mark.slow
def test_processes_opening_a_new_store_at_once_all_find_it_migrated(tmp_path: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    for attempt in range(3):  # the race is a matter of timing: try it a few times
        path = tmp_path / f"race{attempt}.db"
        with context.Pool(6) as pool:
            versions = pool.map(_open, [str(path)] * 6)
        assert versions == [SCHEMA_VERSION] * 6
