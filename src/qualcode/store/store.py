"""The project store: one SQLite file holding sources, turns, segments (later codings and decisions).

SQLite because it ships with Python, is a single file a team can copy, and gives real transactions: a
killed ingest rolls back to the last commit, so the store is never half-written.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import TracebackType

import pandas as pd

from qualcode.anonymise.pseudonyms import Assignment
from qualcode.errors import StoreTooNew
from qualcode.models import Segment, Source
from qualcode.schemas import CODINGS, DECISIONS, INDICATOR_VALUES, SEGMENTS, STORED_CODINGS
from qualcode.store.schema import MIGRATIONS, SCHEMA_VERSION

SEGMENT_COLUMNS = SEGMENTS.names


class Store:
    """A connection to a project's store; use as a context manager or call `close()`."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        try:
            self._refuse_newer()  # before any PRAGMA that writes: a file from a newer qualcode is left untouched
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except BaseException:
            self._db.close()
            raise

    # --- lifecycle ---------------------------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _refuse_newer(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreTooNew(f"The store is at schema version {version}; this qualcode knows up to "
                              f"{SCHEMA_VERSION}.", path=self.path)

    def _migrate(self) -> None:
        while self.schema_version < SCHEMA_VERSION:
            with self.transaction():
                # read again under the write lock: another process opening the store may just have migrated it
                target = self.schema_version
                if target >= SCHEMA_VERSION:
                    break
                for statement in _statements(MIGRATIONS[target]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {target + 1}")

    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together or not at all."""
        return self._atomic("BEGIN IMMEDIATE", "COMMIT", ("ROLLBACK",))

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested transaction: everything inside is kept together or undone, the outer run goes on."""
        return self._atomic("SAVEPOINT part", "RELEASE part", ("ROLLBACK TO part", "RELEASE part"))

    @contextmanager
    def _atomic(self, begin: str, keep: str, undo: tuple[str, ...]) -> Iterator[None]:
        self._db.execute(begin)
        try:
            yield
        except BaseException:
            for statement in undo:
                self._db.execute(statement)
            raise
        self._db.execute(keep)

    # --- writing -----------------------------------------------------------------------------------------
    def start_ingest_run(self) -> int:
        cursor = self._db.execute("INSERT INTO ingest_runs (started_at) VALUES (?)",
                                  (dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),))
        return int(cursor.lastrowid or 0)

    def finish_ingest_run(self, run: int, *, added: int, skipped: int, rejected: int) -> None:
        self._db.execute("UPDATE ingest_runs SET added = ?, skipped = ?, rejected = ? WHERE id = ?",
                         (added, skipped, rejected, run))

    def add_source(self, source: Source, segments: list[Segment], run: int) -> None:
        meta = source.meta
        self._db.execute(
            "INSERT INTO sources (source_id, path, content_hash, format, encoding, site, site_type, role, agency, "
            "source_type, date, interviewer, metadata_json, text, ingest_run) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (meta.id, source.path, source.content_hash, source.format, source.encoding, meta.site,
             meta.site_type, meta.role, meta.agency, meta.source_type, _iso(meta.date), meta.interviewer,
             meta.model_dump_json(), source.text, run))
        self._db.executemany(
            'INSERT INTO turns (source_id, turn_index, speaker, role, agency, is_interviewer, start, "end", timestamp, '
            "page, section) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(meta.id, t.index, t.speaker, t.role, t.agency, int(t.is_interviewer), t.start, t.end, t.timestamp,
              t.page, t.section) for t in source.turns])
        self._db.executemany(
            f"INSERT INTO segments ({', '.join(map(_quoted, SEGMENT_COLUMNS))}) "
            f"VALUES ({', '.join('?' * len(SEGMENT_COLUMNS))})",
            [(s.id, s.source_id, s.index, s.turn_index, s.speaker, s.role, s.agency, s.site, s.source_type,
              _iso(s.date), s.question, s.start, s.end, s.text, s.page, s.section) for s in segments])
        self._db.executemany(
            "INSERT INTO redactions (source_id, kind, placeholder, count) VALUES (?, ?, ?, ?)",
            [(meta.id, kind, place, count) for kind, place, count in source.redactions])

    def add_dataset(self, dataset_id: str, path: str, content_hash: str, values: pd.DataFrame, run: int) -> None:
        """A performance-data table: its figures in long form (`INDICATOR_VALUES`)."""
        rows = INDICATOR_VALUES.check(values.assign(dataset_id=dataset_id), "saving performance data")
        self._db.execute("INSERT INTO datasets (dataset_id, path, content_hash, ingest_run) VALUES (?, ?, ?, ?)",
                         (dataset_id, path, content_hash, run))
        columns = INDICATOR_VALUES.names
        table = rows.reindex(columns=columns).astype(object)
        self._db.executemany(
            f"INSERT OR REPLACE INTO indicator_values ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            table.where(table.notna(), None).itertuples(index=False, name=None))

    def dataset_path(self, dataset_id: str) -> str | None:
        row = self._db.execute("SELECT path FROM datasets WHERE dataset_id = ?", (dataset_id,)).fetchone()
        return None if row is None else str(row[0])

    def indicator_values(self) -> pd.DataFrame:
        """Every performance-data figure (`INDICATOR_VALUES`), a later table's figure for the same indicator,
        period and series replacing an earlier one's."""
        frame = pd.read_sql_query(
            "SELECT v.* FROM indicator_values v JOIN datasets d USING (dataset_id) ORDER BY d.ingest_run, "
            "v.dataset_id, v.line", self._db)
        frame = frame.drop_duplicates(["indicator", "period", "series"], keep="last").reset_index(drop=True)
        return INDICATOR_VALUES.check(frame.assign(value=frame["value"].astype(float)), "reading performance data")

    def add_pseudonyms(self, assigned: Iterable[Assignment]) -> None:
        self._db.executemany("INSERT OR IGNORE INTO pseudonyms (digest, kind, placeholder) VALUES (?, ?, ?)",
                             [(a.digest, a.kind, a.placeholder) for a in assigned])

    def pseudonyms(self) -> dict[str, str]:
        """digest -> placeholder for every value the project has pseudonymised."""
        return {str(d): str(p) for d, p in self._db.execute("SELECT digest, placeholder FROM pseudonyms")}

    _UNCODED = ("FROM segments g WHERE NOT EXISTS (SELECT 1 FROM coding_runs r WHERE r.segment_id = g.segment_id "
                "AND r.codebook = ? AND r.digest = ?)")

    def uncoded_segments(self, codebook: str, digest: str, limit: int | None = None,
                         after: tuple[str, int] | None = None, turn: tuple[str, int] | None = None
                         ) -> pd.DataFrame:
        """Statements without a coding of this digest (never coded, or coded under another one), in source
        order (columns segment_id, text, question, source_id, index, turn_index): all of them, or `limit` of them after
        the (source_id, index) `after`, so a caller can walk a large store a batch at a time; with `turn`
        (source_id, turn_index), of that answer only."""
        query = (f"SELECT g.segment_id, g.text, COALESCE(g.question, '') AS question, g.source_id, g.\"index\", "
                 f"g.turn_index {self._UNCODED}")
        params: list[object] = [codebook, digest]
        if after is not None:
            query += ' AND (g.source_id, g."index") > (?, ?)'
            params += list(after)
        if turn is not None:
            query += " AND g.source_id = ? AND g.turn_index = ?"
            params += list(turn)
        query += ' ORDER BY g.source_id, g."index"'
        if limit is not None:
            query += " LIMIT ?"
            params.append(limit)
        return pd.read_sql_query(query, self._db, params=params)

    def count_uncoded(self, codebook: str, digest: str) -> int:
        return int(self._db.execute(f"SELECT COUNT(*) {self._UNCODED}", (codebook, digest)).fetchone()[0])

    def add_codings(self, codings: pd.DataFrame, digest: str) -> None:
        """Record a coding run (the columns of `qualcode.coders.CODING_COLUMNS`) under its coding digest, in one
        transaction. It supersedes its statements' codings of the same codebook under any other digest: a
        statement holds one machine coding per codebook, the latest."""
        CODINGS.check(codings, "saving codings")
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        coded = codings.dropna(subset=["code_id"])
        statements = [(r.segment_id, r.codebook, digest)
                      for r in codings.drop_duplicates(["segment_id", "codebook"]).itertuples()]
        with self.transaction():
            for table in ("codings", "coding_runs"):
                self._db.executemany(f"DELETE FROM {table} WHERE segment_id = ? AND codebook = ? AND digest != ?",
                                     statements)
            self._db.executemany(
                "INSERT OR REPLACE INTO codings (segment_id, codebook, codebook_version, digest, code_id, "
                "confidence, assigned, rank, method, valence, model, coded_at, valence_confidence) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.segment_id, r.codebook, r.codebook_version, digest, r.code_id, float(r.confidence),
                  int(bool(r.assigned)), int(r.rank), r.method, r.valence if isinstance(r.valence, str) else None,
                  r.model, now, _number(getattr(r, "valence_confidence", None))) for r in coded.itertuples()])
            self._db.executemany("INSERT OR IGNORE INTO coding_runs (segment_id, codebook, digest) VALUES (?, ?, ?)",
                                 statements)

    def codings(self, codebook: str | None = None, digest: str | None = None) -> pd.DataFrame:
        """Machine codings, of one codebook (and coding digest) when given: columns segment_id, codebook,
        codebook_version, digest, code_id, confidence, assigned, rank, method, valence, model, coded_at,
        valence_confidence."""
        where = [(column, value) for column, value in (("codebook", codebook), ("digest", digest))
                 if value is not None]
        query = "SELECT * FROM codings" + (" WHERE " + " AND ".join(f"{c} = ?" for c, _ in where) if where else "")
        frame = pd.read_sql_query(query + " ORDER BY segment_id, rank", self._db, params=[v for _, v in where])
        frame = frame.assign(assigned=frame["assigned"].astype(bool),
                             valence_confidence=pd.to_numeric(frame["valence_confidence"]).astype(float))
        return STORED_CODINGS.check(frame, "reading codings")

    def coding_digests(self, codebook: str) -> dict[str, int]:
        """Statements coded under each digest of this codebook: more than one means part of the corpus is
        coded with an older codebook, setting or model."""
        rows = self._db.execute("SELECT digest, COUNT(*) FROM coding_runs WHERE codebook = ? GROUP BY digest "
                                "ORDER BY digest", (codebook,))
        return {str(d): int(n) for d, n in rows}

    def latest_coding_digest(self, codebook: str) -> str | None:
        """The digest of the most recent machine coding of this codebook (None before any)."""
        row = self._db.execute("SELECT digest FROM codings WHERE codebook = ? ORDER BY coded_at DESC LIMIT 1",
                               (codebook,)).fetchone()
        return None if row is None else str(row[0])

    def add_decisions(self, decisions: pd.DataFrame) -> int:
        """Record people's decisions (columns segment_id, codebook, code_id, decision, valence, coder,
        decided_at). A decision replaces the same person's on the same statement and code only when it is as new
        or newer, so an old export imported late never undoes a later decision; returns how many were older and
        left out."""
        columns = DECISIONS.names
        rows = DECISIONS.check(decisions, "saving decisions").reindex(columns=columns).astype(object)
        rows = rows.where(rows.notna(), None)
        updates = ", ".join(f"{c} = excluded.{c}" for c in ("decision", "valence", "decided_at"))
        cursor = self._db.executemany(
            f"INSERT INTO decisions ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT (segment_id, codebook, code_id, coder) DO UPDATE SET {updates} "
            "WHERE excluded.decided_at >= decisions.decided_at", rows.itertuples(index=False, name=None))
        return len(rows) - max(cursor.rowcount, 0)

    def decisions(self, codebook: str | None = None) -> pd.DataFrame:
        """Every person's decisions: columns segment_id, codebook, code_id, decision, valence, coder, decided_at
        (`qualcode.review.latest_decisions` keeps the one that counts on each statement and code)."""
        query, params = "SELECT * FROM decisions", tuple[str, ...]()
        if codebook is not None:
            query, params = query + " WHERE codebook = ?", (codebook,)
        return pd.read_sql_query(query + " ORDER BY segment_id, code_id", self._db, params=params)

    def redactions(self) -> pd.DataFrame:
        """Columns source_id, kind, placeholder, count: what the gate replaced in each source."""
        return pd.read_sql_query("SELECT source_id, kind, placeholder, count FROM redactions "
                                 "ORDER BY source_id, kind, placeholder", self._db)

    # --- reading -----------------------------------------------------------------------------------------
    def has_content(self, content_hash: str) -> bool:
        row = self._db.execute("SELECT 1 FROM sources WHERE content_hash = ? UNION ALL "
                               "SELECT 1 FROM datasets WHERE content_hash = ?", (content_hash, content_hash)).fetchone()
        return row is not None

    def source_path(self, source_id: str) -> str | None:
        row = self._db.execute("SELECT path FROM sources WHERE source_id = ?", (source_id,)).fetchone()
        return None if row is None else str(row[0])

    def source_text(self, source_id: str) -> str:
        row = self._db.execute("SELECT text FROM sources WHERE source_id = ?", (source_id,)).fetchone()
        if row is None:
            raise KeyError(source_id)
        return str(row[0])

    def sources(self) -> pd.DataFrame:
        """One row per source, without its text: columns source_id, path, content_hash, format, encoding, site,
        site_type, role, agency, source_type, date, interviewer, ingest_run, ingested_on (YYYY-MM-DD),
        segments."""
        return pd.read_sql_query(
            "SELECT s.source_id, s.path, s.content_hash, s.format, s.encoding, s.site, s.site_type, s.role, s.agency, "
            "s.source_type, s.date, s.interviewer, s.ingest_run, "
            "(SELECT substr(r.started_at, 1, 10) FROM ingest_runs r WHERE r.id = s.ingest_run) AS ingested_on, "
            "(SELECT COUNT(*) FROM segments g WHERE g.source_id = s.source_id) AS segments "
            "FROM sources s ORDER BY s.date, s.source_id", self._db)

    def segments(self, source_id: str | None = None) -> pd.DataFrame:
        """One row per statement, in source and reading order: the columns of `SEGMENT_COLUMNS`."""
        query = f"SELECT {', '.join(map(_quoted, SEGMENT_COLUMNS))} FROM segments"
        params: tuple[str, ...] = ()
        if source_id is not None:
            query += " WHERE source_id = ?"
            params = (source_id,)
        frame = pd.read_sql_query(query + ' ORDER BY date, source_id, "index"', self._db, params=params)
        return SEGMENTS.check(frame, "reading statements")

    def signature(self) -> tuple[tuple[int, ...], ...]:
        """Row count and newest rowid of each table that reports read: changes whenever their content does
        (replaced rows get new rowids)."""
        return tuple(tuple(int(v or 0) for v in self._db.execute(f"SELECT COUNT(*), MAX(rowid) FROM {table}"
                                                                  ).fetchone())
                     for table in ("sources", "segments", "codings", "decisions", "indicator_values"))

    def counts(self) -> dict[str, int]:
        return {table: int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                for table in ("sources", "turns", "segments")}


def _quoted(column: str) -> str:
    return f'"{column}"'


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: object) -> float | None:
    """A float for SQLite, or None for an empty cell (NaN or None)."""
    return None if pd.isna(value) else float(value)  # type: ignore[arg-type]
