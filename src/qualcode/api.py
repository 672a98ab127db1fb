"""The public API for notebooks and scripts: a project's data as DataFrames, and coding a list of strings.

    import qualcode
    review = qualcode.open_project("my-review")  # a `qualcode.workspace.Workspace`
    review.segments()                  # every statement, with source, speaker, role, agency and offsets
    review.codings()                   # the machine's codes, with people's decisions laid over them
    review.matrix("agency")            # the framework matrix, one row per (agency, code) cell
    review.hypotheses()                # status, weight and gaps of each hypothesis
    qualcode.code_texts(["The board's audits changed our practice."], codebook="safeguarding_lines_of_enquiry")
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders.digest import TOP_K
from qualcode.coders.embedder import DEFAULT_EMBEDDING_MODEL, Embedder, EmbeddingBackend
from qualcode.coders.engine import CodingEngine
from qualcode.nlp import lemma_pipeline
from qualcode.offline import lock_down
from qualcode.workspace import Workspace


def open_project(path: str | Path) -> Workspace:
    """A project, to read (`segments()`, `codings()`, `matrix()`, `hypotheses()`, `prereview()`...) and work on
    (`ingest()`, `code()`, `report()`...) as the CLI does. From here on this process (the notebook's kernel)
    reaches nothing beyond this machine and creates owner-only files, as every qualcode process does
    (`qualcode.offline`)."""
    lock_down()
    return Workspace.open(path)


def code_texts(texts: Sequence[str], codebook: str | Path = "safeguarding_lines_of_enquiry",
               questions: Sequence[str] | None = None, model: str = DEFAULT_EMBEDDING_MODEL,
               top_k: int = TOP_K, backend: EmbeddingBackend = "transformer") -> pd.DataFrame:
    """Code a list of strings with a codebook (a bundled name or a YAML path): the long table of `code-table`
    (segment_id is the position in `texts`); `backend="static"` is the fast path. Locks the process down first, as
    `open_project` does."""
    lock_down()
    engine = CodingEngine(load_codebook(resolve_codebook_path(codebook)), Embedder(model, backend=backend),
                          lemma_pipeline()).fit()
    statements = pd.DataFrame({"segment_id": [str(i) for i in range(len(texts))], "text": list(texts),
                               "question": list(questions) if questions is not None else ""})
    return engine.code(statements, top_k=top_k)
