"""evidence.xlsx: an index sheet, one sheet per matrix (counts as a heat map, quotes in cells), then the tables."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from qualcode.evidence.analysis import Analysis
from qualcode.evidence.delta import Delta
from qualcode.evidence.quotes import cite
from qualcode.prereview.summary import CONTRADICTIONS_TABLE, INDICATORS_TABLE, PROPOSALS_TABLE, SIDE_BY_SIDE_TABLE
from qualcode.reports.cells import append_row

HEAT = ColorScaleRule(start_type="num", start_value=0, start_color="FFFFFF", end_type="max", end_color="F8696B")
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
WIDE = ("text", "statement", "gaps", "voices_heard")


def write_workbook(path: Path, analysis: Analysis, delta: Delta, codes: list[str], about: dict[str, str],
                   before: dict[str, pd.DataFrame] | None = None) -> None:
    """Written in openpyxl's write-only mode: rows stream to disk, so a programme's 500,000 coded statements
    take no more memory than a week's. `before`: the documents-and-data tables (`PreReview.tables`), if any."""
    tables = [("Hypotheses", analysis.summary, ["support_weight", "contradict_weight"],
               "status, weight and triangulation for and against each hypothesis, and its gaps"),
              ("Hypothesis evidence", analysis.evidence, ["confidence"],
               "every statement bearing on a hypothesis, with its side"),
              ("Hypothesis quotes", analysis.hypothesis_quotes, [], "the best quotes each way"),
              ("Coded statements", analysis.statements, ["confidence"],
               "every coded statement with its code, confidence, valence and method (human = a person's decision)"),
              ("Changes by code", delta.codes, ["new_statements"], "new statements per code since the last run"),
              ("Changes by hypothesis", delta.hypotheses, ["new_support", "new_contradict"],
               "status changes and new evidence since the last run"),
              ("New voices", delta.voices, ["statements"], "roles, agencies and source types heard for the first time")]
    if before:
        tables += [("Documents data voices", before[SIDE_BY_SIDE_TABLE], [],
                    "each hypothesis: what the documents claim, what the data shows, what people say"),
                   ("Documents vs voices", before[CONTRADICTIONS_TABLE], [],
                    "where a document leans one way on a hypothesis and the week's voices the other"),
                   ("Indicators", before[INDICATORS_TABLE], ["gap"],
                    "performance data: line of enquiry, trend, comparators, outliers flagged"),
                   ("Proposed hypotheses", before[PROPOSALS_TABLE], [],
                    "from the documents' stated weaknesses and the data's outliers")]
    matrices = {f"Matrix by {case}"[:31]: case for case in analysis.matrices}
    contents = [(title, f"rows: {case}; per code: statements (heat map), strength / area for improvement shares, "
                        "best quotes with source:start-end") for title, case in matrices.items()]
    contents += [(title, description) for title, _, _, description in tables]
    book = Workbook(write_only=True)
    _index_sheet(book.create_sheet("Index"), about, contents)
    for title, case in matrices.items():
        _matrix_sheet(book.create_sheet(title), analysis.matrices[case], analysis.matrix_quotes[case], codes, case)
    for title, frame, heat, _ in tables:
        _table_sheet(book.create_sheet(title), frame, heat)
    book.properties.creator = "qualcode"
    book.save(path)
    _make_reproducible(path)


def _index_sheet(sheet: WriteOnlyWorksheet, about: dict[str, str], contents: list[tuple[str, str]]) -> None:
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    append_row(sheet, ["qualcode evidence workbook"], font=Font(bold=True, size=14))
    for key, value in about.items():
        append_row(sheet, [key, value])
    sheet.append([])
    append_row(sheet, ["sheet", "what it holds"], font=BOLD)
    for title, description in contents:
        link = WriteOnlyCell(sheet, title)
        link.hyperlink = f"#'{title}'!A1"
        sheet.append([link, description])


def _make_reproducible(path: Path) -> None:
    """Fix the times a workbook carries (document properties, zip entries), so the same evidence gives the
    same bytes: a rerun with nothing new reproduces its outputs exactly."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)


def _matrix_sheet(sheet: WriteOnlyWorksheet, matrix: pd.DataFrame, quotes: pd.DataFrame, codes: list[str],
                  case: str) -> None:
    cases = sorted(matrix["case"].unique())
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 28
    for i, _ in enumerate(codes):
        count_col, share_col, quote_col = (get_column_letter(2 + 3 * i + k) for k in range(3))
        sheet.conditional_formatting.add(f"{count_col}2:{count_col}{max(len(cases) + 1, 2)}", HEAT)
        sheet.column_dimensions[count_col].width = 8
        sheet.column_dimensions[share_col].width = 14
        sheet.column_dimensions[quote_col].width = 60
    header = [case]
    for code in codes:
        header += [f"{code} n", f"{code} strength / improvement", f"{code} quotes"]
    append_row(sheet, header, font=BOLD, alignment=WRAP)
    cells = matrix.set_index(["case", "code_id"])
    refs = quotes.assign(line=[f"{cite(t, r)} [{s}:{a}-{b}]" for t, r, s, a, b in zip(
        quotes["text"], quotes["role"], quotes["source_id"], quotes["start"], quotes["end"], strict=True)])
    quoted = refs.groupby(["case", "code_id"])["line"].agg("\n".join)
    for case_value in cases:
        row: list[object] = [case_value]
        for code in codes:
            if (case_value, code) in cells.index:
                cell = cells.loc[(case_value, code)]
                row += [int(cell["statements"]),
                        f"{cell['strength_share']:.0%} / {cell['improvement_share']:.0%}",
                        quoted.get((case_value, code), "")]
            else:
                row += [0, "", ""]
        append_row(sheet, row, alignment=WRAP)


def _table_sheet(sheet: WriteOnlyWorksheet, frame: pd.DataFrame, heat: list[str]) -> None:
    """Bold, frozen header; long text wraps (only where it is long: styling every cell is slow at scale)."""
    sheet.freeze_panes = "A2"
    wide = {i for i, column in enumerate(frame.columns) if column in WIDE}
    for i, _ in enumerate(frame.columns):
        sheet.column_dimensions[get_column_letter(i + 1)].width = 60 if i in wide else 16
    for column in heat:
        letter = get_column_letter(list(frame.columns).index(column) + 1)
        sheet.conditional_formatting.add(f"{letter}2:{letter}{max(len(frame) + 1, 2)}", HEAT)
    append_row(sheet, list(frame.columns), font=BOLD, alignment=WRAP)
    for values in frame.itertuples(index=False):
        append_row(sheet, [None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in values],
                   wrap=wide, alignment=WRAP)
