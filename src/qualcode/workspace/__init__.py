"""The service layer over a project folder: every operation the CLI, the Prefect flows, the notebooks and the web
workbench perform (`Workspace`), and the one module that wires a project's components (`wiring`).

Stage packages (anonymise, ingest, coders, evidence, reports, themes, exchange, review, store) know nothing of
projects; the modules here read a project's settings and store at the edge and call them.
"""

from qualcode.workspace.results import CodingRun, FileOutcome, IngestCounts, IngestReport, ReportSummary, ReviewImport
from qualcode.workspace.service import Workspace

__all__ = ["CodingRun", "FileOutcome", "IngestCounts", "IngestReport", "ReportSummary", "ReviewImport", "Workspace"]
