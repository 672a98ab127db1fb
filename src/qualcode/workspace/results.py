"""What the operations on a project return: typed results in counts and statuses, light to import."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

Status = Literal["added", "skipped", "rejected", "quarantined"]
BRIEFING = "briefing.html"


@dataclass(frozen=True)
class FileOutcome:
    """What became of one inbox file. `name` is the file's own path inside the inbox (to move it: never shown);
    `reason` and `warnings` name it only as the anonymisation gate shows it, and carry no value from it."""

    name: str
    status: Status
    source_id: str | None = None
    segments: int = 0
    reason: str | None = None
    warnings: tuple[str, ...] = ()
    data: bool = False  # a performance-data table (figures, no statements), not a source


@dataclass(frozen=True)
class IngestCounts:
    """An ingest run in counts: what a flow returns and shows (never a file name)."""

    added: int
    statements: int
    skipped: int
    rejected: int
    quarantined: int
    tables: int = 0  # of those added, performance-data tables (figures, not sources)


@dataclass
class IngestReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the run as a whole: a manifest's unknown column

    def _with(self, status: Status) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def added(self) -> list[FileOutcome]:
        return self._with("added")

    @property
    def skipped(self) -> list[FileOutcome]:
        return self._with("skipped")

    @property
    def rejected(self) -> list[FileOutcome]:
        return self._with("rejected")

    @property
    def quarantined(self) -> list[FileOutcome]:
        return self._with("quarantined")

    @property
    def set_aside(self) -> list[FileOutcome]:
        return self.rejected + self.quarantined

    @property
    def counts(self) -> IngestCounts:
        return IngestCounts(added=len(self.added), statements=sum(o.segments for o in self.added),
                            skipped=len(self.skipped), rejected=len(self.rejected),
                            quarantined=len(self.quarantined), tables=sum(o.data for o in self.added))


@dataclass(frozen=True)
class CodingRun:
    """What `Workspace.code` did: how many statements it coded, with which codebook and coding digest."""

    coded: int
    codebook: str
    version: str
    digest: str


@dataclass(frozen=True)
class ReportSummary:
    """A built report in counts and statuses only (no statement, quote or name): what a flow run returns and
    what its artifact and the CLI show. Recorded in the report's about.json, so a current report is
    summarised without rebuilding or rereading its tables."""

    as_of: str
    folder: Path
    statements: int
    statuses: dict[str, str] = field(default_factory=dict)
    status_before: dict[str, str] = field(default_factory=dict)  # hypotheses whose status changed, or are new
    new_agencies: list[str] = field(default_factory=list)
    hypotheses: list[dict[str, object]] = field(default_factory=list)  # id, status, for, against, gaps
    rebuilt: bool = True  # False when the day's report was current and was summarised as it stood
    coding_digest: str = ""  # the digest of the project's coding now
    digests: dict[str, int] = field(default_factory=dict)  # statements coded under each digest (README: Coding)
    themes: dict[str, int] = field(default_factory=dict)  # emerging themes in counts: outside, new, near, faded
    # documents and data in counts: documents, indicators, outliers, contradictions, proposals
    prereview: dict[str, int] = field(default_factory=dict)

    @property
    def stale(self) -> int:
        """Statements coded under another digest than the current one: left out of the report."""
        return sum(n for digest, n in self.digests.items() if digest != self.coding_digest)

    @property
    def briefing(self) -> Path:
        return self.folder / BRIEFING


@dataclass(frozen=True)
class ReviewImport:
    """Decisions recorded by `Workspace.review_import` (or `exchange_import`), the machine codings and every
    decision to measure them by, how many were older than a decision already recorded on the same statement and
    code (and so left out), and how many statements were recoded with what the decisions teach."""

    decisions: pd.DataFrame
    codings: pd.DataFrame
    everything: pd.DataFrame
    older: int = 0
    recoded: int = 0
