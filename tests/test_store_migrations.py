"""Store migrations: a project store written by any older qualcode opens, keeps its rows and ends up with
exactly the schema of a fresh store.

Every test builds a real SQLite file the way an older qualcode left it (the first k migrations applied, `PRAGMA
user_version` = k) and opens it with the real `Store`. The versions come from `MIGRATIONS` itself, so a migration
appended later is tested from every older version without touching this file. Rows are written from each
table's `PRAGMA table_info` at that version: the representative values below where a column exists, a plausible
value of the declared type for any other NOT NULL column without a default.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest

from qualcode.errors import QualcodeError, StoreTooNew
from qualcode.store import SCHEMA_VERSION, Store
from qualcode.store.schema import MIGRATIONS

Row = dict[str, object]

TEXT = "Q: How did the review go?\nA: Staff felt more confident. [PERSON_1] led the visits."
QUESTION = "How did the review go?"
ANSWER = "Staff felt more confident. [PERSON_1] led the visits."
FIRST, SECOND = "Staff felt more confident.", "[PERSON_1] led the visits."
CODEBOOK, VERSION = "safeguarding_lines_of_enquiry", "2026.1"


def span(part: str) -> tuple[int, int]:
    """Where `part` sits in the source text, as the store's start/end offsets."""
    start = TEXT.index(part)
    return start, start + len(part)


def segment(idx: int, part: str) -> Row:
    start, end = span(part)
    return {"id": f"cp-01:{idx}", "source_id": "cp-01", "idx": idx, "turn_index": 1, "speaker": "SW",
            "role": "social worker", "agency": "children's services", "site": "North", "source_type": "interview",
            "date": "2026-03-09", "question": QUESTION, "start": start, "end": end, "text": part}


# One interview as the current qualcode stores it, in the order the tables can be filled (foreign keys on).
# A column a table does not have at a version is left out; a table not there yet is not written.
ROWS: dict[str, list[Row]] = {
    "ingest_runs": [{"id": 1, "started_at": "2026-03-09T08:00:00+00:00", "added": 1, "skipped": 0, "rejected": 0}],
    "sources": [{"id": "cp-01", "path": "2026-03-09/cp-01.txt", "content_hash": "3f" * 32, "format": "txt",
                 "encoding": "utf-8", "site": "North", "site_type": "office", "role": "social worker",
                 "agency": "children's services", "source_type": "interview", "date": "2026-03-09",
                 "interviewer": None, "metadata_json": '{"id": "cp-01", "site": "North"}', "text": TEXT,
                 "ingest_run": 1}],
    "turns": [{"source_id": "cp-01", "idx": 0, "speaker": "Q", "role": "interviewer", "agency": "",
               "is_interviewer": 1, "start": span(QUESTION)[0] - 3, "end": span(QUESTION)[1], "timestamp": None},
              {"source_id": "cp-01", "idx": 1, "speaker": "SW", "role": "social worker",
               "agency": "children's services", "is_interviewer": 0, "start": span(ANSWER)[0] - 3,
               "end": span(ANSWER)[1], "timestamp": "00:00:12"}],
    "segments": [segment(0, FIRST), segment(1, SECOND)],
    "pseudonyms": [{"digest": "a1" * 32, "kind": "PERSON", "placeholder": "[PERSON_1]"}],
    "redactions": [{"source_id": "cp-01", "kind": "PERSON", "placeholder": "[PERSON_1]", "count": 1}],
    "codings": [{"segment_id": "cp-01:0", "codebook": CODEBOOK, "codebook_version": VERSION,
                 "code_id": "impact.staff_morale", "confidence": 0.8125, "assigned": 1, "rank": 1,
                 "method": "embedding", "valence": "positive", "model": "all-MiniLM-L6-v2",
                 "coded_at": "2026-03-09T09:00:00+00:00"},
                {"segment_id": "cp-01:0", "codebook": CODEBOOK, "codebook_version": VERSION,
                 "code_id": "practice.supervision", "confidence": 0.375, "assigned": 0, "rank": 2,
                 "method": "embedding", "valence": None, "model": "all-MiniLM-L6-v2",
                 "coded_at": "2026-03-09T09:00:00+00:00"}],
    "coding_runs": [{"segment_id": "cp-01:0", "codebook": CODEBOOK, "codebook_version": VERSION}],
    "decisions": [{"segment_id": "cp-01:0", "codebook": CODEBOOK, "code_id": "impact.staff_morale",
                   "decision": "accept", "valence": "positive", "coder": "reviewer-1",
                   "decided_at": "2026-03-10T09:00:00+00:00"},
                  {"segment_id": "cp-01:1", "codebook": CODEBOOK, "code_id": "practice.supervision",
                   "decision": "add", "valence": None, "coder": "reviewer-1",
                   "decided_at": "2026-03-10T09:05:00+00:00"}],
    "datasets": [{"dataset_id": "performance.xlsx", "path": "pre-review/performance.xlsx", "content_hash": "4e" * 32,
                  "ingest_run": 1}],
    "indicator_values": [{"dataset_id": "performance.xlsx", "indicator": "Agency social workers", "period": "2024-25",
                          "series": "value", "value": 29.0, "unit": "%", "better": "lower", "code_id": None,
                          "line": 2},
                         {"dataset_id": "performance.xlsx", "indicator": "Agency social workers", "period": "2024-25",
                          "series": "england", "value": 15.5, "unit": "%", "better": "lower", "code_id": None,
                          "line": 2}],
}


class Column(NamedTuple):
    """One row of `PRAGMA table_info`."""

    cid: int
    name: str
    type: str
    notnull: int
    dflt_value: str | None
    pk: int


def columns(db: sqlite3.Connection, table: str) -> list[Column]:
    return [Column(*row) for row in db.execute(f'PRAGMA table_info("{table}")')]


def user_tables(db: sqlite3.Connection) -> set[str]:
    return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%'")}


def plausible(column: Column, n: int) -> object:
    """A value of the column's declared type (SQLite's affinity rules), distinct per row for UNIQUE columns."""
    declared = column.type.upper()
    if "INT" in declared:
        return n + 1
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return f"{column.name}-{n + 1}"
    if not declared or "BLOB" in declared:
        return bytes([n + 1])
    return 0.5 + n  # REAL, FLOAT, DOUBLE and NUMERIC


def write_rows(db: sqlite3.Connection, table: str, rows: list[Row]) -> list[Row]:
    """Insert `rows` into `table` as it is at this version; return what was written, column by column."""
    written = []
    for n, known in enumerate(rows):
        row = {}
        for column in columns(db, table):
            name = column.name if column.name in known else RENAMED.get((table, column.name))
            if name in known:
                row[column.name] = known[name]
            elif column.notnull and column.dflt_value is None:
                row[column.name] = plausible(column, n)
        names = ", ".join(f'"{name}"' for name in row)
        db.execute(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(row))})', tuple(row.values()))
        written.append(row)
    return written


def store_at(path: Path, version: int) -> dict[str, list[Row]]:
    """A store file as a qualcode at schema `version` left it, holding one interview coded and decided on as far
    as that version's tables allow; returns the rows written, by table."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA foreign_keys = ON")
        for script in MIGRATIONS[:version]:
            db.executescript(script)
        db.execute(f"PRAGMA user_version = {version}")
        tables = user_tables(db)
        assert tables <= ROWS.keys(), f"add representative rows for {sorted(tables - ROWS.keys())} to ROWS"
        db.execute("BEGIN")
        written = {table: write_rows(db, table, rows) for table, rows in ROWS.items() if table in tables}
        db.execute("COMMIT")
    return written


def schema_of(path: Path) -> dict[str, object]:
    """Everything that makes up a store's schema, normalised: sqlite_master's entries (SQL with whitespace
    collapsed) and, per table, its columns, indexes and foreign keys."""
    with closing(sqlite3.connect(path)) as db:
        master = sorted((kind, name, table, " ".join(sql.split()) if sql else None) for kind, name, table, sql
                        in db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        tables = sorted(name for kind, name, _, _ in master if kind == "table")
        return {"master": master, "user_version": db.execute("PRAGMA user_version").fetchone()[0],
                **{f"{table}.columns": db.execute(f'PRAGMA table_info("{table}")').fetchall() for table in tables},
                **{f"{table}.indexes": sorted(row[1:] for row in db.execute(f'PRAGMA index_list("{table}")'))
                   for table in tables},
                **{f"{table}.foreign_keys": db.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()
                   for table in tables}}


def assert_rows_present(path: Path, written: Mapping[str, list[Row]]) -> None:
    """Every row written is in the file with every value it was written with."""
    with closing(sqlite3.connect(path)) as db:
        for table, rows in written.items():
            for row in (migrated(table, r) for r in rows):
                where = " AND ".join(f'"{name}" IS ?' for name in row)
                found = db.execute(f'SELECT COUNT(*) FROM "{table}" WHERE {where}', tuple(row.values())).fetchone()
                assert found[0] == 1, (table, row)


def records(frame: pd.DataFrame, names: list[str], rename: Mapping[str, str] | None = None) -> list[Row]:
    """The frame's rows as plain dicts of the given columns (named as in the table), missing values as None."""
    rename = dict(rename or {})
    picked = frame[[rename.get(name, name) for name in names]].rename(columns={v: k for k, v in rename.items()})
    plain = picked.astype(object).where(picked.notna(), None)
    return sorted(plain.to_dict("records"), key=repr)


def expected(rows: list[Row], names: list[str]) -> list[Row]:
    return sorted(({name: row[name] for name in names} for row in rows), key=repr)


def assert_readable(store: Store, written: Mapping[str, list[Row]]) -> None:
    """The rows written before the migration come back through the Store's public methods, as they were."""
    written = {table: [migrated(table, row) for row in rows] for table, rows in written.items()}
    if "sources" in written:
        sources = store.sources()
        names = [name for name in written["sources"][0] if name in sources.columns]
        assert records(sources, names) == expected(written["sources"], names)
        for row in written["sources"]:
            assert store.source_text(str(row["source_id"])) == row["text"]
            assert store.has_content(str(row["content_hash"]))
        runs = {row["id"]: str(row["started_at"])[:10] for row in written["ingest_runs"]}
        assert sources["ingested_on"].tolist() == [runs[run] for run in sources["ingest_run"]]
        assert sources["segments"].tolist() == [sum(s["source_id"] == i for s in written["segments"])
                                                for i in sources["source_id"]]
        assert store.counts() == {table: len(written[table]) for table in ("sources", "turns", "segments")}
        names = list(written["segments"][0])
        assert records(store.segments(), names) == expected(
            written["segments"], names)
    if "pseudonyms" in written:
        assert store.pseudonyms() == {row["digest"]: row["placeholder"] for row in written["pseudonyms"]}
        names = ["source_id", "kind", "placeholder", "count"]
        assert records(store.redactions(), names) == expected(written["redactions"], names)
    if "codings" in written:
        names = list(written["codings"][0])
        assert records(store.codings(), names) == expected(
            [{**row, "assigned": bool(row["assigned"])} for row in written["codings"]], names)
        runs = {(row["codebook"], _run_digest(row)) for row in written["coding_runs"]}
        for codebook, digest in runs:
            done = {row["segment_id"] for row in written["coding_runs"]
                    if (row["codebook"], _run_digest(row)) == (codebook, digest)}
            left = [row["segment_id"] for row in written["segments"] if row["segment_id"] not in done]
            assert store.uncoded_segments(str(codebook), digest)["segment_id"].tolist() == left
            assert store.count_uncoded(str(codebook), digest) == len(left)
    if "decisions" in written:
        names = list(written["decisions"][0])
        assert records(store.decisions(), names) == expected(written["decisions"], names)


def test_the_rows_cover_every_table_of_the_current_schema(tmp_path: Path) -> None:
    """The migration tests are only as good as their rows: each table of the newest schema gets some, so a
    table a migration adds must be given representative rows here."""
    written = store_at(tmp_path / "current.db", SCHEMA_VERSION)
    assert set(written) == set(ROWS) and all(written.values())


@pytest.mark.parametrize("version", range(len(MIGRATIONS)), ids=lambda version: f"from-v{version}")
def test_a_store_from_an_older_qualcode_migrates_and_keeps_its_rows(tmp_path: Path, version: int) -> None:
    """People keep their project stores across qualcode upgrades: opening an old one must bring it to the
    current schema, exactly as a new store has it, without losing or changing a row."""
    path = tmp_path / "older.db"
    written = store_at(path, version)
    assert written or version == 0
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert_readable(store, written)
    assert_rows_present(path, written)
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    with Store(tmp_path / "fresh.db"):
        pass
    assert schema_of(path) == schema_of(tmp_path / "fresh.db")
    with Store(path) as again:  # a second opening migrates nothing
        assert again.schema_version == SCHEMA_VERSION
        assert_readable(again, written)


def test_a_store_from_a_newer_qualcode_is_refused_with_its_content_untouched(tmp_path: Path) -> None:
    """A newer qualcode may have changed the schema in ways this one cannot read or write safely: it must say
    so with a catalogued error that names the file and what to do, and leave schema and rows as they were."""
    path = tmp_path / "newer.db"
    written = store_at(path, SCHEMA_VERSION)
    with closing(sqlite3.connect(path)) as db:  # what a newer qualcode might have done to it
        db.execute("ALTER TABLE sources ADD COLUMN checksum TEXT NOT NULL DEFAULT ''")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.commit()
    before, raw = schema_of(path), path.read_bytes()
    with pytest.raises(StoreTooNew) as caught:
        Store(path)
    assert path.read_bytes() == raw  # not a byte changed: no journal mode switched, no header rewritten
    error = caught.value
    assert isinstance(error, QualcodeError) and error.code == "E203" and error.path == path
    assert str(error).startswith(f"[E203] {path}: The store is at schema version {SCHEMA_VERSION + 1};")
    assert f"knows up to {SCHEMA_VERSION}" in str(error) and "upgrade qualcode" in str(error)
    assert schema_of(path) == before
    assert_rows_present(path, written)


# Columns schema 6 renamed, so that the store names each concept as every table after it does:
# (table, name now) -> name before.
RENAMED = {("sources", "source_id"): "id", ("turns", "turn_index"): "idx", ("segments", "segment_id"): "id",
           ("segments", "index"): "idx"}


def migrated(table: str, row: Row) -> Row:
    """A row as the migrations after it was written leave it: schema 5 keys coding runs by coding digest
    instead of codebook version (`_run_digest`); schema 6 renames columns (`RENAMED`)."""
    before = {old: now for (owner, now), old in RENAMED.items() if owner == table}
    row = {before.get(name, name): value for name, value in row.items()}
    if table == "coding_runs" and "digest" not in row:
        return {**{k: v for k, v in row.items() if k != "codebook_version"}, "digest": _run_digest(row)}
    return row


def _run_digest(row: dict[str, object]) -> str:
    """The coding digest a coding run row stands under: its own, or, from before digests (schema 5), the one the
    migration gives it, which no real digest equals (so those statements are recoded)."""
    return str(row["digest"]) if "digest" in row else f"version:{row['codebook_version']}"
