"""A project in and out of REFI-QDA: the store read or written at the edge, the exchange format done by
`qualcode.exchange`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from qualcode.exchange.importing import decisions_from
from qualcode.exchange.project import ExportSummary, qdpx_entries, write_zip
from qualcode.exchange.reading import read_qdpx
from qualcode.project import Project
from qualcode.store import Store
from qualcode.workspace.wiring import project_codebook


def export_project(project: Project, path: Path, digest: str) -> ExportSummary:
    """Write the project, with its machine codings of the coding `digest`, as a `.qdpx` (written to a temporary
    file, then moved: never half a file)."""
    codebook = project_codebook(project)
    with Store(project.store_path) as store:
        sources = store.sources()
        texts = {str(source_id): store.source_text(str(source_id)) for source_id in sources["source_id"]}
        segments, decisions = store.segments(), store.decisions(codebook.name)
        codings = store.codings(codebook.name, digest)
    entries, summary = qdpx_entries(project.config.name, codebook, sources, texts, segments, codings, decisions)
    write_zip(path, entries)
    return ExportSummary(path=path, **summary)


def import_codings(project: Project, path: Path) -> pd.DataFrame:
    """People's codings in a `.qdpx` of this project, as decisions ready for `Store.add_decisions`.

    Returns:
        Columns segment_id, codebook, code_id, decision, valence, coder, decided_at; one row per statement
        and code (the latest coding wins when several people coded the same), sorted by statement and code.
    """
    exchange = read_qdpx(path)
    codebook = project_codebook(project)
    with Store(project.store_path) as store:
        texts = {str(source_id): store.source_text(str(source_id)) for source_id in store.sources()["source_id"]}
        segments = store.segments()
        models = {str(model) for model in store.codings()["model"]}
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return decisions_from(exchange, codebook, texts, segments, models, path, now)
