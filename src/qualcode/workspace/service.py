"""The service layer: every operation on a project, typed, in one place.

The CLI, the Prefect flows, the notebooks API and the web workbench are thin adapters over `Workspace`: they
parse their input, call one operation and present its typed result. Store transactions, which codings a
review offers and how a report is summarised are decided here, once.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

import pandas as pd

from qualcode.errors import NothingToReview, OutputExists
from qualcode.project import Project, init_project
from qualcode.store import Store
from qualcode.workspace.results import CodingRun, IngestReport, ReportSummary, ReviewImport

if TYPE_CHECKING:
    from qualcode.anonymise.detector import Detector
    from qualcode.codebook import Codebook
    from qualcode.codebook.model import Valence
    from qualcode.coders.engine import CodingEngine
    from qualcode.evidence.analysis import Analysis
    from qualcode.evidence.settings import Case
    from qualcode.exchange.project import ExportSummary
    from qualcode.prereview.summary import PreReview
    from qualcode.themes.model import ThemeSettings
    from qualcode.workspace.emerging import EmergingThemes
    from qualcode.workspace.reports import Report
    from qualcode.workspace.themes import ThemeReport

Progress = Callable[[int, int], None]
P = ParamSpec("P")
R = TypeVar("R")


def _one_run(method: Callable[Concatenate[Workspace, P], R]) -> Callable[Concatenate[Workspace, P], R]:
    """Run a method that writes to the project while holding its lock (`qualcode.workspace.lock`)."""
    def locked(self: Workspace, /, *args: P.args, **kwargs: P.kwargs) -> R:
        from qualcode.workspace.lock import project_lock

        with project_lock(self.root, self.project.config.orchestration.lock_wait_seconds):
            return method(self, *args, **kwargs)

    functools.update_wrapper(locked, method)
    return locked


@dataclass(frozen=True)
class Workspace:
    """A project folder and what can be done with it. Cheap to create: models load on the first operation
    that needs them."""

    project: Project

    @classmethod
    def open(cls, root: str | Path) -> Workspace:
        return cls(Project.open(Path(root)))

    @classmethod
    def create(cls, root: str | Path, name: str | None = None) -> Workspace:
        """Scaffold a project folder (an existing one is left exactly as it is) and open it."""
        return cls(init_project(Path(root), name=name))

    @property
    def root(self) -> Path:
        return self.project.root

    # --- components ------------------------------------------------------------------------------------
    @cached_property
    def codebook(self) -> Codebook:
        from qualcode.workspace.wiring import project_codebook

        return project_codebook(self.project)

    def engine(self) -> CodingEngine:
        from qualcode.workspace.wiring import project_engine

        return project_engine(self.project)

    def detector(self) -> Detector:
        from qualcode.workspace.wiring import project_detector

        return project_detector(self.project)

    def coding_digest(self) -> str:
        from qualcode.workspace.wiring import project_coding_digest

        return project_coding_digest(self.project)

    # --- operations --------------------------------------------------------------------------------------
    @_one_run
    def ingest(self, *, detector: Detector | None = None, progress: Progress | None = None,
               workers: int | None = None) -> IngestReport:
        """New inbox files through the anonymisation gate into the store; files already there are skipped.
        `workers` processes (default: every core) find identifying spans ahead of the one that writes."""
        from qualcode.workspace.ingest import ingest_inbox

        return ingest_inbox(self.project, detector=detector, progress=progress, workers=workers)

    @_one_run
    def code(self, *, engine: CodingEngine | None = None, progress: Progress | None = None,
             batch_size: int | None = None) -> CodingRun:
        """Code every statement whose coding is missing or stale (another coding digest)."""
        from qualcode.coders.digest import engine_digest
        from qualcode.workspace.coding import BATCH, code_project

        digest = engine_digest(engine) if engine is not None else self.coding_digest()
        codebook = engine.codebook if engine is not None else self.codebook
        coded = code_project(self.project, engine, progress=progress, batch_size=batch_size or BATCH,
                             digest=digest)
        return CodingRun(coded=coded, codebook=codebook.name, version=codebook.version, digest=digest)

    @_one_run
    def report(self, day: dt.date | None = None) -> Report:
        """(Re)build outputs/DAY/ from the store."""
        from qualcode.workspace.reports import build_report

        return build_report(self.project, day)

    def nothing_new(self, day: dt.date | None = None) -> bool:
        """Whether a night would change nothing: no inbox file the store lacks, every statement coded under the
        current coding digest, and the day's report built from exactly that. Decided from file hashes and digests
        alone, before any model loads or any server starts, so an unchanged night costs next to nothing."""
        from qualcode.workspace.inbox import anything_new
        from qualcode.workspace.reports import report_is_current

        if anything_new(self.project):
            return False
        with self._store() as store:
            if store.count_uncoded(self.codebook.name, self.coding_digest()):
                return False
        return report_is_current(self.project, day)

    @_one_run
    def report_summary(self, day: dt.date | None = None) -> ReportSummary:
        """The day's report, rebuilt only when something it is built from changed, summarised."""
        from qualcode.workspace.reports import ABOUT, SUMMARY, report_is_current

        day = day or dt.date.today()
        folder = self.project.outputs / day.isoformat()
        current = report_is_current(self.project, day)
        if not current:
            folder = self.report(day).folder
        recorded = json.loads((folder / ABOUT).read_text(encoding="utf-8"))[SUMMARY]
        return ReportSummary(folder=folder, rebuilt=not current, **recorded)

    @_one_run
    def themes(self, low_confidence: float | None = None, settings: ThemeSettings | None = None, *,
               propose: bool = False, coverage: bool = True) -> ThemeReport:
        from qualcode.workspace.themes import project_themes

        return project_themes(self.project, low_confidence, settings, propose=propose, coverage=coverage)

    def emerging_themes(self, day: dt.date | None = None) -> EmergingThemes:
        """The emerging themes of `day`'s report, or of the latest report that has any."""
        from qualcode.workspace.emerging import latest_themes

        return latest_themes(self.project, day)

    def theme_code_draft(self, theme_id: str) -> dict[str, object]:
        """A code drafted from one of the latest report's themes (id, label, definition, include, examples)."""
        from qualcode.themes.drafts import draft_code

        found = self.emerging_themes()
        theme = found.theme(theme_id)
        central = found.quotes.loc[found.quotes["theme_id"] == theme_id, "segment_id"].tolist()
        members = found.members.loc[found.members["theme_id"] == theme_id, "segment_id"].tolist()
        texts = self.segments().set_index("segment_id")["text"]
        examples = [str(texts[s]) for s in dict.fromkeys(central + members) if s in texts.index]
        return draft_code(str(theme["label"]), str(theme["keywords"]), int(theme["statements"]),
                          str(theme["roles"]), examples, taken=[c.id for c in self.codebook.codes])

    def theme_hypothesis_draft(self, theme_id: str) -> str:
        """A hypothesis drafted from one of the latest report's themes, as YAML for hypotheses.yaml: tested on
        the code its statements were nearest to (or on the code made from it), on the side most of them took."""
        from qualcode.themes.drafts import draft_hypothesis
        from qualcode.workspace.wiring import project_hypotheses

        found = self.emerging_themes()
        theme = found.theme(theme_id)
        members = set(found.members.loc[found.members["theme_id"] == theme_id, "segment_id"])
        codings = self.codings()
        mine = codings[codings["segment_id"].isin(members) & codings["assigned"].astype(bool)]
        texts = set(self.segments().set_index("segment_id").reindex(list(members))["text"].dropna())
        made = [c.id for c in self.codebook.leaves if set(c.examples) & texts]  # a code made from this theme
        near = str(theme["near_code"])
        codes = made[:1] or ([near] if near in {c.id for c in self.codebook.leaves} else [])
        sides = mine["valence"].value_counts()
        supported_by: Valence = ("strength" if sides.get("strength", 0) > sides.get("area_for_improvement", 0)
                                 else "area_for_improvement")
        taken = {h.id for h in project_hypotheses(self.project, self.codebook).hypotheses}
        hypothesis_id, number = f"H-{theme_id}", 2
        while hypothesis_id in taken:
            hypothesis_id, number = f"H-{theme_id}-{number}", number + 1
        return draft_hypothesis(hypothesis_id, str(theme["label"]), str(theme["keywords"]),
                                _voice_names(str(theme["agencies"])), codes, supported_by)

    @_one_run
    def add_code(self, code: dict[str, object]) -> Path:
        """Add a code to the project's codebook, in a new version (`qualcode.workspace.codebooks`); returns its
        file. The coding digest changes, so the next run (or a relearn) codes every statement with it."""
        from qualcode.workspace.codebooks import save_version, with_code

        return save_version(self.project, with_code(self.codebook, code))

    def review_export(self, out: Path, count: int | None = None, *, force: bool = False) -> int:
        """Write a review workbook of the machine's current codes not yet decided, most informative first;
        returns how many statements it holds. An existing workbook is kept unless `force`."""
        from qualcode.review.export import review_rows, write_review_workbook

        if out.exists() and not force:
            raise OutputExists(f"{out.name} exists and may hold decisions not yet imported.", path=out,
                               hint=f"Import it first (qualcode review import {self.root} {out}), or pass "
                                    "--force, or choose another --out.")
        codebook, digest = self.codebook, self.coding_digest()
        with self._store() as store:
            codings = store.codings(codebook.name, digest=digest)
            decisions = store.decisions(codebook.name)
            segments = store.segments()
        # a decision on a code the codebook no longer has decides nothing now: offer its statement again
        decided = set(decisions.loc[decisions["code_id"].isin({c.id for c in codebook.leaves}), "segment_id"])
        codings = codings[~codings["segment_id"].isin(decided)]
        if codings.empty:
            raise NothingToReview("No current machine coding waits for review with this codebook.",
                                  hint=f"Run `qualcode code {self.root}` first if the coding is stale.")
        rows = review_rows(segments, codings, codebook, count)
        write_review_workbook(rows, out, codebook)
        return int(rows["segment_id"].nunique())

    @_one_run
    def review_import(self, path: Path, coder: str | None = None, *, relearn: bool = True,
                      progress: Progress | None = None) -> ReviewImport:
        """Record people's decisions (every row checked before any is recorded, in one transaction); then, unless
        `relearn` is off, recode the corpus with what they teach, so every output uses them at once."""
        from qualcode.review import read_decisions

        with self._store() as store:
            known = set(store.segments()["segment_id"])
        return self._record(read_decisions(path, self.codebook, known, coder=coder), relearn, progress)

    def exchange_export(self, out: Path) -> ExportSummary:
        from qualcode.workspace.exchange import export_project

        return export_project(self.project, out, self.coding_digest())

    @_one_run
    def exchange_import(self, qdpx: Path, *, relearn: bool = True, progress: Progress | None = None
                        ) -> ReviewImport:
        """Record people's codings from another tool as their decisions, then relearn as `review_import` does."""
        from qualcode.workspace.exchange import import_codings

        return self._record(import_codings(self.project, qdpx), relearn, progress)

    @_one_run
    def decide(self, decisions: pd.DataFrame, coder: str, *, relearn: bool = False) -> ReviewImport:
        """Record decisions a person made in the workbench (columns segment_id, code_id, decision[, valence]),
        each checked as an imported row is, in one transaction. They override the machine at once; the machine
        learns from them at the next run or `relearn()` (recoding on every click would make a reviewer wait)."""
        from qualcode.review.decisions import checked_decisions

        with self._store() as store:
            known = set(store.segments()["segment_id"])
        rows = checked_decisions(decisions.assign(coder=coder), self.codebook, known)
        return self._record(rows, relearn, None)

    def statements_in_span(self, source_id: str, start: int, end: int) -> pd.DataFrame:
        """The statements a span of a source stands for (`qualcode.exchange.covered_segments`): segment_id, start,
        end. A span that covers none is refused."""
        from qualcode.errors import BadDecisions
        from qualcode.exchange.importing import covered_segments

        segments = self.segments(source_id)
        located = list(zip(segments["segment_id"], segments["start"], segments["end"], strict=True))
        covered = covered_segments(start, end, located) if 0 <= start < end else []
        if not covered:
            raise BadDecisions("The selection covers no statement of this source.",
                               hint="Select words inside a statement (the highlighted passages).")
        return segments[segments["segment_id"].isin(covered)][["segment_id", "start", "end"]].reset_index(drop=True)

    @_one_run
    def code_span(self, source_id: str, start: int, end: int, code_id: str, coder: str) -> pd.DataFrame:
        """Code a span of a source by hand: the code is added to each statement it stands for; returns them."""
        covered = self.statements_in_span(source_id, start, end)
        self.decide(pd.DataFrame({"segment_id": covered["segment_id"], "code_id": code_id, "decision": "add"}),
                    coder)
        return covered

    @_one_run
    def add_examples(self, code_id: str, segment_ids: list[str]) -> Path:
        """Add statements as examples of a code, in a new version of the project's codebook
        (`qualcode.workspace.codebooks`); returns its file. Open the workspace again to use it."""
        from qualcode.errors import BadDecisions
        from qualcode.workspace.codebooks import save_version, with_examples

        segments = self.segments()
        texts = list(segments.set_index("segment_id").reindex(segment_ids)["text"].dropna())
        if len(texts) != len(segment_ids) or not texts:
            raise BadDecisions("An example must be a statement of this project.")
        return save_version(self.project, with_examples(self.codebook, code_id, texts))

    @_one_run
    def relearn(self, progress: Progress | None = None) -> int:
        """Recode the corpus with what every decision recorded so far teaches; returns statements recoded."""
        return self._relearn(True, progress)

    def _record(self, decisions: pd.DataFrame, relearn: bool, progress: Progress | None) -> ReviewImport:
        """Record decisions in one transaction, with the machine's codings they are measured against (those of
        the digest before them: what they teach changes it), then relearn."""
        codebook, digest = self.codebook, self.coding_digest()
        with self._store() as store:
            with store.transaction():
                older = store.add_decisions(decisions)
            codings = store.codings(codebook.name, digest=digest)
            everything = store.decisions(codebook.name)
        return ReviewImport(decisions=decisions, codings=codings, everything=everything, older=older,
                            recoded=self._relearn(relearn, progress))

    def _relearn(self, relearn: bool, progress: Progress | None) -> int:
        """Recode with what the decisions now teach (their digest is part of the coding digest)."""
        return self.code(progress=progress).coded if relearn else 0

    # --- views (notebooks, the workbench) --------------------------------------------------------------
    def sources(self) -> pd.DataFrame:
        with self._store() as store:
            return store.sources()

    def segments(self, source: str | None = None) -> pd.DataFrame:
        with self._store() as store:
            return store.segments(source)

    def codings(self, coder: str | None = None) -> pd.DataFrame:
        """The codings every output uses: the machine's current ones, with people's decisions laid over them (only
        `coder`'s, for a person coding blind)."""
        from qualcode.review.decisions import current_codings

        with self._store() as store:
            return current_codings(store, self.codebook, self._shown_digest(store), coder=coder)

    def analysis(self, day: dt.date | None = None, coder: str | None = None) -> Analysis:
        """Everything the briefing shows, as of `day` (default today); with `coder`, as that person sees it when
        coding blind (only their decisions laid over the machine's)."""
        from qualcode.evidence.analysis import analyse
        from qualcode.workspace.wiring import project_hypotheses

        segments, sources, codings = self.segments(), self.sources(), self.codings(coder)
        return analyse(segments, sources, codings, self.codebook, project_hypotheses(self.project, self.codebook),
                       self.project.config.evidence, day or dt.date.today())

    def indicator_values(self) -> pd.DataFrame:
        """Every performance-data figure the inbox brought (`qualcode.schemas.INDICATOR_VALUES`)."""
        with self._store() as store:
            return store.indicator_values()

    def prereview(self, analysis: Analysis | None = None) -> PreReview:
        """What the documents claim, what the data shows and what people say, side by side, where the two disagree,
        and the hypotheses the documents' weaknesses and the data's outliers propose (of `analysis`, default
        today's)."""
        from qualcode.prereview.summary import before_the_week
        from qualcode.workspace.wiring import project_hypotheses

        return before_the_week(analysis or self.analysis(), self.indicator_values(),
                               project_hypotheses(self.project, self.codebook), self.codebook,
                               self.project.config.evidence.status, self.project.config.prereview)

    def statements(self) -> pd.DataFrame:
        """Coded statements: one row per (statement, assigned code), most confident first."""
        return self.analysis().statements

    def matrix(self, case: Case = "agency") -> pd.DataFrame:
        return self.analysis().matrices[case]

    def hypotheses(self) -> pd.DataFrame:
        return self.analysis().summary

    def decisions(self) -> pd.DataFrame:
        """Every person's decisions on the project codebook (each person's own; the latest counts)."""
        with self._store() as store:
            return store.decisions(self.codebook.name)

    def source_text(self, source_id: str) -> str:
        with self._store() as store:
            return store.source_text(source_id)

    def machine_codings(self) -> pd.DataFrame:
        """The machine's codings under the current coding digest, before any decision is laid over them."""
        with self._store() as store:
            return store.codings(self.codebook.name, self._shown_digest(store))

    def learnt(self) -> bool:
        """Whether the machine's codings already use what every decision recorded teaches (False after decisions
        made in the workbench, until the next run or `relearn`)."""
        with self._store() as store:
            return self._shown_digest(store) == self.coding_digest()

    def _shown_digest(self, store: Store) -> str:
        """The machine coding the views show: the current digest's; but when decisions recorded since the last run
        (which teach a new digest) have left none under it, the last run's, so a decision made in the workbench
        changes its own statement at once and the rest when the machine relearns."""
        current = self.coding_digest()
        if current in store.coding_digests(self.codebook.name):
            return current
        return store.latest_coding_digest(self.codebook.name) or current

    def _store(self) -> Store:
        return Store(self.project.store_path)


def _voice_names(voices: str) -> str:
    """'health (4); police (2)' -> 'health, police'."""
    return ", ".join(v.rsplit(" (", 1)[0] for v in voices.split("; ") if v)
