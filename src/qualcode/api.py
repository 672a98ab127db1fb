"""The public API for notebooks and scripts: a project's data as DataFrames, and coding a list of strings.

    import qualcode
    review = qualcode.open_project("my-review")
    review.segments()                  # every statement, with source, speaker, role, agency and offsets
    review.codings()                   # the machine's codes, with people's decisions laid over them
    review.matrix("agency")            # the framework matrix, one row per (agency, code) cell
    review.hypotheses()                # status, weight and gaps of each hypothesis
    qualcode.code_texts(["The board's audits changed our practice."], codebook="safeguarding_lines_of_enquiry")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from qualcode.codebook import Codebook, load_codebook, resolve_codebook_path
from qualcode.coders.embedder import DEFAULT_EMBEDDING_MODEL, Embedder, EmbeddingBackend
from qualcode.coders.engine import CodingEngine
from qualcode.coders.project_coding import TOP_K, lemma_pipeline, project_codebook
from qualcode.evidence.analysis import Analysis, analyse
from qualcode.evidence.settings import Case
from qualcode.offline import lock_down
from qualcode.project import Project
from qualcode.reports.build import project_hypotheses
from qualcode.review.decisions import current_codings
from qualcode.store import Store


@dataclass(frozen=True)
class ProjectData:
    """Read-only views of a project's store; each call reads the store afresh."""

    project: Project

    @cached_property
    def codebook(self) -> Codebook:
        return project_codebook(self.project)

    def sources(self) -> pd.DataFrame:
        with Store(self.project.store_path) as store:
            return store.sources()

    def segments(self) -> pd.DataFrame:
        with Store(self.project.store_path) as store:
            return store.segments()

    def codings(self) -> pd.DataFrame:
        """The codings every output uses: the machine's, with people's decisions laid over them."""
        with Store(self.project.store_path) as store:
            return current_codings(store, self.codebook)

    def analysis(self, day: dt.date | None = None) -> Analysis:
        """Everything the briefing shows, as of `day` (default today)."""
        with Store(self.project.store_path) as store:
            segments, sources, codings = store.segments(), store.sources(), current_codings(store, self.codebook)
        return analyse(segments, sources, codings, self.codebook, project_hypotheses(self.project, self.codebook),
                       self.project.config.evidence, day or dt.date.today())

    def statements(self) -> pd.DataFrame:
        """Coded statements: one row per (statement, assigned code), most confident first."""
        return self.analysis().statements

    def matrix(self, case: Case = "agency") -> pd.DataFrame:
        return self.analysis().matrices[case]

    def hypotheses(self) -> pd.DataFrame:
        return self.analysis().summary


def open_project(path: str | Path) -> ProjectData:
    """A project's data. From here on this process (the notebook's kernel) reaches nothing beyond this machine
    and creates owner-only files, as every qualcode process does (`qualcode.offline.lock_down`)."""
    lock_down()
    return ProjectData(Project.open(Path(path)))


def code_texts(texts: Sequence[str], codebook: str | Path = "safeguarding_lines_of_enquiry",
               questions: Sequence[str] | None = None, model: str = DEFAULT_EMBEDDING_MODEL,
               top_k: int = TOP_K, backend: EmbeddingBackend = "transformer") -> pd.DataFrame:
    """Code a list of strings with a codebook (a bundled name or a YAML path): the long table of `code-table`
    (id is the position in `texts`); `backend="static"` is the fast path. Locks the process down first, as
    `open_project` does."""
    lock_down()
    engine = CodingEngine(load_codebook(resolve_codebook_path(codebook)), Embedder(model, backend=backend),
                          lemma_pipeline()).fit()
    statements = pd.DataFrame({"id": [str(i) for i in range(len(texts))], "text": list(texts),
                               "question": list(questions) if questions is not None else ""})
    return engine.code(statements, top_k=top_k)
