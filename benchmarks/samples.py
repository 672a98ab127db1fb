"""The bundled sample corpora as a table of statements, exactly as a project's store hands them to the engine:
ingested through the anonymisation gate (so the text and segment ids are those the gold sets were coded on)."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import pandas as pd

from qualcode.project import init_project
from qualcode.samples import samples_dir
from qualcode.store import Store
from qualcode.workspace.coding import as_statements
from qualcode.workspace.ingest import copy_into_inbox, ingest_inbox

CORPORA = ("review_week", "evaluation")


def sample_statements(corpora: tuple[str, ...] = CORPORA) -> pd.DataFrame:
    """Every statement of the named sample corpora: columns segment_id (as the gold sets name it), text,
    question, turn (the answer it is part of) and source_id."""
    return pd.concat([_corpus_statements(corpus) for corpus in corpora], ignore_index=True)


@cache
def _corpus_statements(corpus: str) -> pd.DataFrame:
    """One corpus, ingested once per process (callers must not modify the table). A corpus in day folders is
    ingested a day at a time, as the review team receives it."""
    folder = samples_dir() / corpus
    with tempfile.TemporaryDirectory() as scratch:
        project = init_project(Path(scratch) / corpus)
        for part in sorted(p for p in folder.iterdir() if p.is_dir()) or [folder]:
            copy_into_inbox(project, part)
            ingest_inbox(project)
        with Store(project.store_path) as store:
            segments = store.segments()
    return as_statements(segments).assign(source_id=segments["source_id"])
