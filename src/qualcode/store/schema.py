"""The store's schema as an ordered list of migrations; `PRAGMA user_version` records how far a file is."""

from __future__ import annotations

# Each entry upgrades the store from version i to i + 1. Never edit a released entry: append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sources (
        id            TEXT PRIMARY KEY,
        path          TEXT NOT NULL,
        content_hash  TEXT NOT NULL UNIQUE,
        format        TEXT NOT NULL,
        encoding      TEXT,
        site          TEXT NOT NULL,
        site_type     TEXT NOT NULL,
        role          TEXT NOT NULL,
        agency        TEXT NOT NULL,
        source_type   TEXT NOT NULL,
        date          TEXT,
        interviewer   TEXT,
        metadata_json TEXT NOT NULL,
        text          TEXT NOT NULL,
        ingest_run    INTEGER NOT NULL REFERENCES ingest_runs(id)
    );
    CREATE TABLE turns (
        source_id      TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        idx            INTEGER NOT NULL,
        speaker        TEXT,
        role           TEXT NOT NULL,
        agency         TEXT NOT NULL,
        is_interviewer INTEGER NOT NULL,
        start          INTEGER NOT NULL,
        "end"          INTEGER NOT NULL,
        timestamp      TEXT,
        PRIMARY KEY (source_id, idx)
    );
    CREATE TABLE segments (
        id          TEXT PRIMARY KEY,
        source_id   TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        idx         INTEGER NOT NULL,
        turn_index  INTEGER NOT NULL,
        speaker     TEXT,
        role        TEXT NOT NULL,
        agency      TEXT NOT NULL,
        site        TEXT NOT NULL,
        source_type TEXT NOT NULL,
        date        TEXT,
        question    TEXT,
        start       INTEGER NOT NULL,
        "end"       INTEGER NOT NULL,
        text        TEXT NOT NULL,
        UNIQUE (source_id, idx)
    );
    CREATE INDEX segments_by_role ON segments(role, agency);
    CREATE TABLE ingest_runs (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        added      INTEGER NOT NULL DEFAULT 0,
        skipped    INTEGER NOT NULL DEFAULT 0,
        rejected   INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 2: the anonymisation gate. Digests only: no identifying value is ever stored.
    """
    CREATE TABLE pseudonyms (
        digest      TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        placeholder TEXT NOT NULL
    );
    CREATE TABLE redactions (
        source_id   TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        placeholder TEXT NOT NULL,
        count       INTEGER NOT NULL,
        PRIMARY KEY (source_id, placeholder)
    );
    """,
    # 3: machine codings, with provenance for every row.
    """
    CREATE TABLE codings (
        segment_id       TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        codebook         TEXT NOT NULL,
        codebook_version TEXT NOT NULL,
        code_id          TEXT NOT NULL,
        confidence       REAL NOT NULL,
        assigned         INTEGER NOT NULL,
        rank             INTEGER NOT NULL,
        method           TEXT NOT NULL,
        valence          TEXT,
        model            TEXT NOT NULL,
        coded_at         TEXT NOT NULL,
        PRIMARY KEY (segment_id, codebook, codebook_version, code_id)
    );
    CREATE TABLE coding_runs (
        segment_id       TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        codebook         TEXT NOT NULL,
        codebook_version TEXT NOT NULL,
        PRIMARY KEY (segment_id, codebook, codebook_version)
    );
    """,
    # 4: people's decisions on codes. A table of its own, so no machine run or recoding can touch them.
    """
    CREATE TABLE decisions (
        segment_id TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        codebook   TEXT NOT NULL,
        code_id    TEXT NOT NULL,
        decision   TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'add')),
        valence    TEXT,
        coder      TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (segment_id, codebook, code_id)
    );
    """,
    # 5: a coding is identified by its digest (codebook content, coding settings, the models' weights), not by
    # the codebook's hand-typed version. Codings from before carry 'version:<version>', which no digest equals,
    # so `qualcode code` recodes them.
    """
    CREATE TABLE codings_v5 (
        segment_id       TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        codebook         TEXT NOT NULL,
        codebook_version TEXT NOT NULL,
        digest           TEXT NOT NULL,
        code_id          TEXT NOT NULL,
        confidence       REAL NOT NULL,
        assigned         INTEGER NOT NULL,
        rank             INTEGER NOT NULL,
        method           TEXT NOT NULL,
        valence          TEXT,
        model            TEXT NOT NULL,
        coded_at         TEXT NOT NULL,
        PRIMARY KEY (segment_id, codebook, digest, code_id)
    );
    INSERT INTO codings_v5 SELECT segment_id, codebook, codebook_version, 'version:' || codebook_version, code_id,
        confidence, assigned, rank, method, valence, model, coded_at FROM codings;
    DROP TABLE codings;
    ALTER TABLE codings_v5 RENAME TO codings;
    CREATE TABLE coding_runs_v5 (
        segment_id       TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        codebook         TEXT NOT NULL,
        digest           TEXT NOT NULL,
        PRIMARY KEY (segment_id, codebook, digest)
    );
    INSERT OR IGNORE INTO coding_runs_v5 SELECT segment_id, codebook, 'version:' || codebook_version
        FROM coding_runs;
    DROP TABLE coding_runs;
    ALTER TABLE coding_runs_v5 RENAME TO coding_runs;
    CREATE INDEX codings_by_digest ON codings(codebook, digest);
    CREATE INDEX coding_runs_by_digest ON coding_runs(codebook, digest);
    """,
    # 6: one name per concept, as every table after the store names it: a source is `source_id`, a statement
    # `segment_id`, its place in its source `index`, a turn's place `turn_index` (references follow the renames).
    """
    ALTER TABLE sources RENAME COLUMN id TO source_id;
    ALTER TABLE turns RENAME COLUMN idx TO turn_index;
    ALTER TABLE segments RENAME COLUMN id TO segment_id;
    ALTER TABLE segments RENAME COLUMN idx TO "index";
    """,
    # 7: how sure the machine is of a statement's valence, so a hypothesis weighs a doubtful stance less. Codings
    # from before have none, which counts as unsure until `qualcode code` recodes them.
    """
    ALTER TABLE codings ADD COLUMN valence_confidence REAL;
    """,
    # 8: each person's decisions are their own, so two people can code the same statements blind and be compared;
    # the coding every output uses takes the latest decision on a statement and code, whoever made it.
    """
    CREATE TABLE decisions_v8 (
        segment_id TEXT NOT NULL REFERENCES segments(segment_id) ON DELETE CASCADE,
        codebook   TEXT NOT NULL,
        code_id    TEXT NOT NULL,
        decision   TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'add')),
        valence    TEXT,
        coder      TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (segment_id, codebook, code_id, coder)
    );
    INSERT INTO decisions_v8 SELECT segment_id, codebook, code_id, decision, valence, coder, decided_at
        FROM decisions;
    DROP TABLE decisions;
    ALTER TABLE decisions_v8 RENAME TO decisions;
    """,
    # 9: documents and data from before the week. A document's paragraph keeps its page and its section's heading,
    # so a quote is cited `p.12 §"Early help"`; a performance-data workbook is kept as its values, one row per
    # indicator, period and series (the council's own `value`, or a comparator such as `england`).
    """
    ALTER TABLE turns ADD COLUMN page INTEGER;
    ALTER TABLE turns ADD COLUMN section TEXT;
    ALTER TABLE segments ADD COLUMN page INTEGER;
    ALTER TABLE segments ADD COLUMN section TEXT;
    CREATE TABLE datasets (
        dataset_id   TEXT PRIMARY KEY,
        path         TEXT NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        ingest_run   INTEGER NOT NULL REFERENCES ingest_runs(id)
    );
    CREATE TABLE indicator_values (
        dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id) ON DELETE CASCADE,
        indicator  TEXT NOT NULL,
        period     TEXT NOT NULL,
        series     TEXT NOT NULL,
        value      REAL NOT NULL,
        unit       TEXT,
        better     TEXT,
        code_id    TEXT,
        line       INTEGER NOT NULL,
        PRIMARY KEY (dataset_id, indicator, period, series)
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
