"""The dated reports of the sample week, checked against the store: quotes, statuses, gaps, files, the briefing."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import ARTIFACTS, CHROMIUM_ARGS, WEEK_START, debian_chromium
from qualcode.anonymise.detector import Detector
from qualcode.cli import EXIT_OK, EXIT_UNUSABLE, app
from qualcode.outputs import unescape_cell
from qualcode.project import Project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace.ingest import ingest_inbox
from qualcode.workspace.reports import (
    ABOUT,
    BRIEFING,
    PROPOSALS_YAML,
    WORKBOOK,
    Report,
    build_report,
    report_dates,
    report_inputs,
    report_is_current,
)

runner = CliRunner()
Week = tuple[Project, list[Report]]
CITED = re.compile(r"^\u201c(?P<text>.*)\u201d \u2014 (?P<role>[^\[\]]+?)(?: \[(?P<source>[^\]]+):(?P<start>\d+)-"
                   r"(?P<end>\d+)\])?$", re.DOTALL)
REF = re.compile(r"^(?P<source>.+):(?P<start>\d+)-(?P<end>\d+)$")


class _Quotes(HTMLParser):
    """Collects each <blockquote data-source data-start data-end><p>text</p><cite>role</cite> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.quotes: list[dict[str, str]] = []
        self._field: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "blockquote":
            self.quotes.append({k: v or "" for k, v in attrs} | {"p": "", "cite": ""})
        elif tag in ("p", "cite") and self.quotes and "data-start" in self.quotes[-1]:
            self._field = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self.quotes[-1]["closed"] = "yes"
        self._field = None

    def handle_data(self, data: str) -> None:
        if self._field and "closed" not in self.quotes[-1]:
            self.quotes[-1][self._field] += data


class _Truth:
    """The store, to check quotes against."""

    def __init__(self, project: Project) -> None:
        with Store(project.store_path) as store:
            self.texts = {row: store.source_text(row) for row in store.sources()["source_id"]}
            segments = store.segments()
        self.roles = set(segments["role"])
        self.role_at = {(s, int(a), int(b)): r for s, a, b, r in
                        zip(segments["source_id"], segments["start"], segments["end"], segments["role"], strict=True)}
        self.checked = 0

    def check(self, where: str, text: str, role: str, source: str, start: int, end: int) -> None:
        assert self.texts[source][start:end] == text, f"{where}: quote differs from {source}[{start}:{end}]"
        assert role in self.roles, f"{where}: attributed to {role!r}, which is not a role"
        assert self.role_at[(source, start, end)] == role, f"{where}: attributed to the wrong role"
        self.checked += 1


def _check_tables(folder: Path, truth: _Truth) -> None:
    for path in sorted(folder.glob("*.csv")) + sorted(folder.glob("*.parquet")):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:  # a CSV cell that a spreadsheet would run is written with a quote before it (OWASP)
            frame = pd.read_csv(path, keep_default_na=False).map(
                lambda cell: unescape_cell(cell) if isinstance(cell, str) else cell)
        if {"source_id", "start", "end", "text", "role"} <= set(frame.columns):
            for row in frame.itertuples(index=False):
                truth.check(path.name, str(row.text), str(row.role), str(row.source_id), int(row.start),
                            int(row.end))
        if "quotes" in frame.columns:
            for cited, refs in zip(frame["quotes"], frame["quote_refs"], strict=True):
                for line, ref in zip(str(cited).split("\n"), str(refs).split("; "), strict=True):
                    quote, link = CITED.match(line), REF.match(ref)
                    assert quote and link, f"{path.name}: {line!r}"
                    truth.check(path.name, quote["text"], quote["role"].strip(), link["source"],
                                int(link["start"]), int(link["end"]))


def _check_workbook(path: Path, truth: _Truth) -> None:
    book = load_workbook(path)
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for name, value in zip(header, row, strict=False):
                if isinstance(name, str) and name.endswith(" quotes") and value:
                    for line in str(value).split("\n"):
                        quote = CITED.match(line)
                        assert quote and quote["source"], f"{path.name}/{sheet.title}: {line!r}"
                        truth.check(sheet.title, quote["text"], quote["role"], quote["source"],
                                    int(quote["start"]), int(quote["end"]))
            if {"source_id", "start", "end", "text", "role"} <= set(header):
                values = dict(zip(header, row, strict=True))
                truth.check(sheet.title, str(values["text"]), str(values["role"]), str(values["source_id"]),
                            int(str(values["start"])), int(str(values["end"])))


def _check_briefing(path: Path, truth: _Truth) -> int:
    parser = _Quotes()
    parser.feed(path.read_text(encoding="utf-8"))
    for quote in parser.quotes:
        truth.check(path.name, quote["p"], quote["cite"], quote["data-source"], int(quote["data-start"]),
                    int(quote["data-end"]))
        assert quote["data-source"] not in quote["cite"]
    return len(parser.quotes)


def test_every_quote_in_every_output_is_the_stored_text_attributed_to_a_role(review_week_reports: Week) -> None:
    project, reports = review_week_reports
    truth = _Truth(project)
    for report in reports:
        _check_tables(report.folder, truth)
        _check_workbook(report.folder / WORKBOOK, truth)
        assert _check_briefing(report.briefing, truth) > 0
    assert truth.checked > 500


def test_the_week_moves_hypotheses_and_closes_gaps_day_by_day(review_week_reports: Week) -> None:
    project, reports = review_week_reports
    assert [r.folder.name for r in reports] == [(WEEK_START + dt.timedelta(days=i)).isoformat()
                                                 for i in range(4)]
    assert report_dates(project) == [r.analysis.as_of for r in reports]
    statuses = pd.DataFrame({r.folder.name: pd.read_csv(r.folder / "hypotheses.csv").set_index("hypothesis_id")[
        "status"] for r in reports})
    assert (statuses.nunique(axis=1) > 1).any(), statuses
    for earlier, later in itertools.pairwise(reports):
        changes = pd.read_csv(later.folder / "changes_by_hypothesis.csv", keep_default_na=False)
        before = pd.read_csv(earlier.folder / "hypotheses.csv").set_index("hypothesis_id")["status"]
        assert changes.set_index("hypothesis_id")["status_before"].equals(before.rename("status_before"))
    gaps = {r.folder.name: pd.read_csv(r.folder / "hypotheses.csv", keep_default_na=False).set_index(
        "hypothesis_id")["gaps"] for r in reports}
    days = [r.folder.name for r in reports]
    # health is first heard on day 3 and police on day 4 (corpora/samples/review_week/README.md)
    for agency, day in (("health", 2), ("police", 3)):
        closed = [h for h in gaps[days[day - 1]].index
                  if agency in gaps[days[day - 1]][h].split("; ") and agency not in gaps[days[day]][h].split("; ")]
        assert closed, f"no gap for {agency} closed on {days[day]}"
        voices = pd.read_csv(reports[day].folder / "new_voices.csv")
        assert agency in set(voices.loc[voices["kind"] == "agency", "voice"])
        assert f"{agency} (agency, " in " ".join(reports[day].briefing.read_text().split())


def test_report_files_are_complete_and_the_workbook_is_laid_out(review_week_reports: Week) -> None:
    project, reports = review_week_reports
    last = reports[-1]
    names = {p.name for p in last.folder.iterdir()}
    cases = project.config.evidence.cases
    tables = ["sources", "statements", "hypotheses", "hypothesis_evidence", "hypothesis_quotes", "review_list",
              "changes_by_code", "changes_by_hypothesis", "new_voices", "framework_coverage", "emerging_themes",
              "emerging_theme_members", "emerging_theme_quotes", "documents_data_voices", "documents_vs_voices",
              "indicators", "proposed_hypotheses"]
    tables += [f"matrix_by_{c}" for c in cases] + [f"matrix_quotes_by_{c}" for c in cases]
    assert names == {BRIEFING, WORKBOOK, ABOUT, PROPOSALS_YAML} | {f"{t}.{ext}" for t in tables
                                                                    for ext in ("csv", "parquet")}
    assert report_is_current(project, last.analysis.as_of)
    assert json.loads((last.folder / ABOUT).read_text())["inputs"] == report_inputs(project, last.analysis.as_of)
    assert not [p for p in project.outputs.iterdir() if p.name.startswith(".")]
    book = load_workbook(last.folder / WORKBOOK)
    assert book.sheetnames[0] == "Index"
    assert {f"Matrix by {c}" for c in cases} <= set(book.sheetnames)
    index_targets = {c.value for c in book["Index"]["A"] if c.hyperlink is not None}
    assert index_targets == set(book.sheetnames) - {"Index"}
    for title in book.sheetnames[1:]:
        sheet = book[title]
        assert sheet.freeze_panes in ("A2", "B2"), title
    matrix = book["Matrix by agency"]
    assert matrix.conditional_formatting, "no heat map on the matrix"
    counts = pd.read_csv(last.folder / "matrix_by_agency.csv")
    header = [c.value for c in matrix[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in matrix.iter_rows(min_row=2, values_only=True)}
    for cell in counts.itertuples(index=False):
        assert rows[cell.case][f"{cell.code_id} n"] == cell.statements
    with Store(project.store_path) as store:
        assigned = store.codings().query("assigned")
        written = set(store.segments().query("source_type == 'document'")["segment_id"])
    assert written and counts["statements"].sum() == (~assigned["segment_id"].isin(written)).sum()  # voices only


def test_rebuilding_a_report_reproduces_it_and_compares_with_the_day_before(review_week_reports: Week,
                                                                            tmp_path: Path) -> None:
    project, reports = review_week_reports
    copy = Project.open(Path(shutil.copytree(project.root, tmp_path / "copy")))
    again = build_report(copy, reports[1].analysis.as_of)
    assert again.previous == reports[0].analysis.as_of
    for name in ("hypotheses.csv", "matrix_by_role.csv", "changes_by_hypothesis.csv", "hypothesis_quotes.csv"):
        assert (again.folder / name).read_bytes() == (reports[1].folder / name).read_bytes(), name


def test_report_command_builds_and_refuses_bad_input_without_touching_outputs(review_week_reports: Week,
                                                                              tmp_path: Path) -> None:
    project, reports = review_week_reports
    root = Path(shutil.copytree(project.root, tmp_path / "copy"))
    day = reports[-1].folder.name
    result = runner.invoke(app, ["report", str(root), "--date", day])
    assert result.exit_code == EXIT_OK, result.output
    assert f"Briefing: {root / 'outputs' / day / BRIEFING}" in " ".join(result.stdout.split())
    before = sorted((p.name, p.stat().st_mtime_ns) for p in (root / "outputs" / day).iterdir())

    result = runner.invoke(app, ["report", str(root), "--date", "12/03/2026"])
    assert result.exit_code == EXIT_UNUSABLE and "E206" in result.stderr
    hypotheses = root / "hypotheses.yaml"
    hypotheses.write_text(hypotheses.read_text().replace("loe.performance_qa]", "loe.performance]"))
    result = runner.invoke(app, ["report", str(root), "--date", day])
    assert result.exit_code == EXIT_UNUSABLE
    assert "E403" in result.stderr and f"{hypotheses}:11" in " ".join(result.stderr.split())
    assert sorted((p.name, p.stat().st_mtime_ns) for p in (root / "outputs" / day).iterdir()) == before


def test_a_source_ingested_late_counts_as_new_in_the_next_report(review_week_reports: Week, tmp_path: Path,
                                                                   segmenter: Segmenter, detector: Detector) -> None:
    """A police interview dated Monday but arriving on Wednesday is news on Wednesday, not lost in Monday."""
    project, reports = review_week_reports
    copy = Project.open(Path(shutil.copytree(project.root, tmp_path / "copy")))
    for folder in reports[2:]:
        shutil.rmtree(copy.outputs / folder.folder.name)  # the week so far: reports for days 1 and 2 only
    with Store(copy.store_path) as store:
        segments = store.segments()
    late = copy.inbox / "late"
    late.mkdir()
    (late / "late-police.txt").write_text(
        "---\nid: rw-late-01\nsite: LA3\nsite_type: city\nrole: police officer\nagency: police\n"
        "source_type: interview\ndate: 2026-03-09\ninterviewer: Peer\n---\n"
        "Peer: Do police join strategy discussions?\nSergeant: Honestly, police rarely join the strategy "
        "discussions live, and health almost never do.\n")
    ingest_inbox(copy, segmenter=segmenter, detector=detector)
    from qualcode.workspace.coding import code_project

    code_project(copy)
    wednesday = build_report(copy, WEEK_START + dt.timedelta(days=2))
    with Store(copy.store_path) as store:
        added = set(store.segments()["segment_id"]) - set(segments["segment_id"])
    assert added and "rw-late-01" in set(pd.read_csv(wednesday.folder / "sources.csv")["source_id"])
    assert "police" in set(wednesday.delta.voices.query("kind == 'agency'")["voice"])


def test_a_project_without_hypotheses_still_gets_a_briefing(review_week_project: Project, tmp_path: Path) -> None:
    copy = Project.open(Path(shutil.copytree(review_week_project.root, tmp_path / "copy")))
    report = build_report(copy, WEEK_START)
    assert report.analysis.summary.empty
    assert "add them to hypotheses.yaml" in report.briefing.read_text()


def test_briefing_renders_in_headless_chromium_offline_without_errors(review_week_reports: Week) -> None:
    chromium = debian_chromium()
    from playwright.sync_api import sync_playwright

    _, reports = review_week_reports
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for report in (reports[0], reports[-1]):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                problems: list[str] = []
                requests: list[str] = []
                page.on("console", lambda m, p=problems: p.append(m.text) if m.type in ("error", "warning")
                        else None)
                page.on("pageerror", lambda e, p=problems: p.append(str(e)))
                page.on("request", lambda r, q=requests: q.append(r.url))
                page.goto(report.briefing.as_uri(), wait_until="load")
                assert page.locator("h1").inner_text().startswith("Morning briefing")
                assert page.locator("#hypotheses tbody tr").count() == len(report.analysis.summary)
                assert page.locator("table.heat td").count() > 0
                page.screenshot(path=str(ARTIFACTS / f"briefing-{report.folder.name}.png"), full_page=True)
                assert problems == []
                assert requests == [report.briefing.as_uri()], requests
                page.close()
        finally:
            browser.close()
    assert (ARTIFACTS / f"briefing-{reports[-1].folder.name}.png").stat().st_size > 10_000
