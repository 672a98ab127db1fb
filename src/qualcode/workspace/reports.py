"""Building a dated report folder from what the store holds: the one place reports touch the disk."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode import __version__
from qualcode.codebook import resolve_codebook_path
from qualcode.evidence.analysis import Analysis, analyse
from qualcode.evidence.delta import Delta, daily_delta
from qualcode.models import DOCUMENT
from qualcode.outputs import unescape_cell, write_folder
from qualcode.prereview.summary import PreReview, before_the_week
from qualcode.project import CONFIG_NAME, Project
from qualcode.reports.briefing import render_briefing
from qualcode.reports.tables import report_tables, write_tables
from qualcode.reports.workbook import write_workbook
from qualcode.review.decisions import current_codings
from qualcode.store import Store
from qualcode.themes.tracking import NightlyThemes
from qualcode.workspace.emerging import nightly_themes, theme_files
from qualcode.workspace.results import BRIEFING
from qualcode.workspace.wiring import project_codebook, project_coding_digest, project_hypotheses

log = logging.getLogger(__name__)

WORKBOOK = "evidence.xlsx"
ABOUT = "about.json"  # provenance: version, codebook, model, coding digest, day, the report compared with, inputs
SUMMARY = "summary"  # the key in about.json of the report in counts and statuses (`ReportSummary`)
SOURCES = "sources.csv"
PROPOSALS_YAML = "proposed-hypotheses.yaml"  # the proposals as entries to edit into hypotheses.yaml


@dataclass(frozen=True)
class Report:
    folder: Path
    analysis: Analysis
    delta: Delta
    previous: dt.date | None
    themes: NightlyThemes | None = None
    prereview: PreReview | None = None

    @property
    def briefing(self) -> Path:
        return self.folder / BRIEFING


def report_dates(project: Project) -> list[dt.date]:
    """The days that already have a report folder under outputs/, oldest first."""
    days = []
    for folder in project.outputs.glob("????-??-??"):
        try:
            days.append(dt.date.fromisoformat(folder.name))
        except ValueError:
            continue
    return sorted(days)


def report_inputs(project: Project, day: dt.date | None = None) -> str:
    """A digest of everything a report for `day` is built from: the store's contents (row counts and newest
    rows of each table), the settings, codebook and hypotheses files, the day and the report it is compared
    with. Equal digests give equal reports, so an orchestrator may skip the rebuild."""
    day = day or dt.date.today()
    digest = hashlib.sha256(f"{__version__}|{day}|".encode())
    previous = previous_report(project, day)
    digest.update(f"{previous}|".encode())
    if previous is not None and (project.outputs / previous.isoformat() / SOURCES).is_file():
        digest.update((project.outputs / previous.isoformat() / SOURCES).read_bytes())
    digest.update(theme_files(project, previous))  # tonight's themes keep the identities of the last report's
    digest.update(f"{project_coding_digest(project)}|".encode())
    with Store(project.store_path) as store:
        digest.update(repr(store.signature()).encode())
    files = [project.root / CONFIG_NAME, project.root / project.config.evidence.hypotheses,
             resolve_codebook_path(project.config.coding.codebook, base=project.root)]
    for path in files:
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()


def previous_report(project: Project, day: dt.date) -> dt.date | None:
    """The latest report before `day`: what 'since yesterday' compares with."""
    return max((d for d in report_dates(project) if d < day), default=None)


def report_is_current(project: Project, day: dt.date | None = None) -> bool:
    """Whether the day's folder was built from exactly what a report would be built from now."""
    day = day or dt.date.today()
    about = project.outputs / day.isoformat() / ABOUT
    if not about.is_file() or not (about.parent / BRIEFING).is_file():
        return False
    try:
        recorded = json.loads(about.read_text(encoding="utf-8")).get("inputs")
    except (OSError, ValueError):
        return False
    return bool(recorded == report_inputs(project, day))


def build_report(project: Project, day: dt.date | None = None) -> Report:
    """(Re)build `outputs/<day>/` from the store, as of `day` (default: today), compared with the latest
    earlier report. The folder is written aside and swapped in whole, so a failure never leaves half a report."""
    day = day or dt.date.today()
    config = project.config.evidence
    codebook = project_codebook(project)
    hypotheses = project_hypotheses(project, codebook)
    inputs = report_inputs(project, day)
    coding = project_coding_digest(project)
    with Store(project.store_path) as store:
        segments, sources, codings = store.segments(), store.sources(), current_codings(store, codebook, coding)
        digests = store.coding_digests(codebook.name)
        decisions = store.decisions(codebook.name)
        values = store.indicator_values()
    orphaned = decisions[~decisions["code_id"].isin({c.id for c in codebook.leaves})]
    models = sorted(set(codings["model"].dropna()))
    reviewed = int((codings["method"] == "human").sum())
    previous = previous_report(project, day)
    now = analyse(segments, sources, codings, codebook, hypotheses, config, day)
    before = (analyse(segments, sources, codings, codebook, hypotheses, config, previous, cases=[],
                      known_sources=_sources_of(project, previous)) if previous is not None else None)
    codes = [c.id for c in codebook.leaves]
    delta = daily_delta(now, before, codes)
    not_voices = [*config.status.team_notes, DOCUMENT]  # neither the team's notes nor the documents are voices
    themes = (nightly_themes(project, codebook, now.segments, codings, day, previous, not_voices)
              if project.config.themes.nightly else None)
    prereview = before_the_week(now, values, hypotheses, codebook, config.status, project.config.prereview)
    about = {"project": project.config.name, "as of": day.isoformat(),
             "compared with": previous.isoformat() if previous else "nothing (first report)",
             "codebook": f"{codebook.name} {codebook.version}", "model": ", ".join(models) or "none yet",
             "coding digest": coding,
             "not coded with the current coding": str(sum(n for d, n in digests.items() if d != coding) or "none"),
             "reviewed by a person": f"{reviewed} codings",
             # kept in the store, never applied: a renamed code is a new code to the machine
             "decisions on codes the codebook no longer has": (
                 f"{len(orphaned)} on {orphaned['segment_id'].nunique()} statements ("
                 f"{', '.join(sorted(set(orphaned['code_id'])))}), offered for review again" if len(orphaned)
                 else "none"),
             "version": __version__}

    def write(folder: Path) -> None:
        recorded = {**about, "inputs": inputs,
                    SUMMARY: report_summary(now, delta, coding, digests, themes, prereview)}
        (folder / ABOUT).write_text(json.dumps(recorded, indent=2) + "\n", encoding="utf-8")
        before = prereview.tables()
        write_tables(report_tables(now, delta) | (themes.tables() if themes is not None else {}) | before, folder)
        (folder / PROPOSALS_YAML).write_text(prereview.proposals_yaml(), encoding="utf-8")
        write_workbook(folder / WORKBOOK, now, delta, codes, about, before if not prereview.empty else None)
        (folder / BRIEFING).write_text(render_briefing(
            now, delta, previous=previous.isoformat() if previous else None,
            labels={c.id: c.label for c in codebook.leaves}, case=config.briefing_case, rule=config.status,
            expected_agencies=config.expected_agencies, about=about, themes=themes, prereview=prereview),
            encoding="utf-8")

    folder = write_folder(project.outputs / day.isoformat(), write)
    log.info("Report for %s: %d statements, %d hypotheses", day, len(now.segments), len(now.summary))
    return Report(folder=folder, analysis=now, delta=delta, previous=previous, themes=themes, prereview=prereview)


def report_summary(now: Analysis, delta: Delta, coding: str, digests: dict[str, int],
                   themes: NightlyThemes | None = None, prereview: PreReview | None = None) -> dict[str, object]:
    """The report in counts and statuses only (the fields of `qualcode.workspace.ReportSummary`): no statement,
    quote or name, so flow artifacts and logs may carry it."""
    before = dict(zip(delta.hypotheses["hypothesis_id"], delta.hypotheses["status_before"], strict=True))
    changed = delta.hypotheses[delta.hypotheses["changed"].astype(bool)]
    voices = delta.voices
    return {
        "as_of": now.as_of.isoformat(), "statements": len(now.segments),
        "statuses": {str(h): str(s) for h, s in zip(now.summary["hypothesis_id"], now.summary["status"], strict=True)},
        "status_before": {str(h): str(s) for h, s in zip(changed["hypothesis_id"], changed["status_before"],
                                                         strict=True)},
        "new_agencies": sorted(str(v) for v in voices.loc[voices["kind"] == "agency", "voice"]),
        "hypotheses": [{"id": str(r.hypothesis_id), "status": str(r.status),
                        "before": str(before.get(r.hypothesis_id, "") or ""), "for": int(r.support_statements),
                        "against": int(r.contradict_statements), "gaps": str(r.gaps)}
                       for r in now.summary.itertuples(index=False)],
        "coding_digest": coding, "digests": digests, "themes": theme_counts(themes),
        "prereview": prereview.counts() if prereview is not None else {}}


def theme_counts(themes: NightlyThemes | None) -> dict[str, int]:
    """Tonight's emerging themes in counts only (their labels are people's words: not for logs or artifacts)."""
    if themes is None or themes.tracked is None:
        return {}
    tracked = themes.tracked.themes
    outside = tracked[tracked["place"] == "outside"]
    return {"outside": len(outside), "new": int((outside["status"] == "new").sum()),
            "near": int((tracked["place"] == "near").sum()), "faded": len(themes.tracked.faded)}


def _sources_of(project: Project, day: dt.date) -> set[str] | None:
    """The sources an earlier report covered, as it recorded them (None for a report from before it did)."""
    path = project.outputs / day.isoformat() / SOURCES
    if not path.is_file():
        return None
    return {unescape_cell(s) for s in pd.read_csv(path, dtype=str, keep_default_na=False)["source_id"]}
