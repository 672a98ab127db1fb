"""The review workbook: the machine's codes for a person to accept, reject or add to, most informative first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from qualcode.codebook.model import Codebook
from qualcode.coders.classifier import most_informative
from qualcode.reports.cells import append_row, save_workbook
from qualcode.review.decisions import DECISIONS

SHEET = "Review"
REVIEW_COLUMNS = ["segment_id", "role", "question", "statement", "code_id", "code", "confidence", "machine",
                  "valence", "decision", "note"]
BLANK_ADD_ROWS = 1  # an empty row under each statement where a person can add a code the machine missed


def review_rows(segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook, count: int | None = None
                ) -> pd.DataFrame:
    """One row per (statement, suggested code), statements ordered most informative first (where the machine is
    least sure), each followed by a blank row for a code to add. Statements already decided are left out.

    Args:
        segments: `Store.segments()`; codings: `Store.codings()` of one codebook version (its top-k rows).
        count: how many statements (default: all).
    """
    suggested = codings.dropna(subset=["code_id"])
    codes = [c.id for c in codebook.leaves]
    grid = suggested.pivot_table(index="segment_id", columns="code_id", values="confidence", aggfunc="max",
                                 fill_value=0.0).reindex(columns=codes, fill_value=0.0)
    order = grid.index[most_informative(grid.to_numpy(), count or len(grid))]
    labels = {c.id: c.label for c in codebook.leaves}
    by_id = segments.set_index("segment_id")
    rows = []
    for segment_id in order:
        statement = by_id.loc[segment_id]
        mine = suggested[suggested["segment_id"] == segment_id].sort_values("confidence", ascending=False)
        context = {"segment_id": segment_id, "role": statement["role"], "question": statement["question"],
                   "statement": statement["text"]}
        for coding in mine.itertuples(index=False):
            rows.append({**context, "code_id": coding.code_id, "code": labels.get(str(coding.code_id), ""),
                         "confidence": round(float(coding.confidence), 2),
                         "machine": "assigned" if coding.assigned else "suggested",
                         "valence": coding.valence if isinstance(coding.valence, str) else "",
                         "decision": "", "note": ""})
        rows += [{**context, "code_id": "", "code": "", "confidence": np.nan, "machine": "", "valence": "",
                  "decision": "", "note": ""}] * BLANK_ADD_ROWS
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


def write_review_workbook(rows: pd.DataFrame, path: Path, codebook: Codebook) -> None:
    """The workbook: the Review sheet with drop-downs for the decision and the code, and a Codes sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(REVIEW_COLUMNS)
    for values in rows.itertuples(index=False):
        append_row(sheet, [None if isinstance(v, float) and np.isnan(v) else v for v in values])
    codes = book.create_sheet("Codes")
    codes.append(["code_id", "code", "definition"])
    for code in codebook.leaves:
        codes.append([code.id, code.label, code.definition])
    last = max(sheet.max_row, 2)
    decision = DataValidation(type="list", formula1=f'"{",".join(DECISIONS)}"', allow_blank=True)
    code_list = DataValidation(type="list", formula1=f"=Codes!$A$2:$A${len(codebook.leaves) + 1}", allow_blank=True)
    sheet.add_data_validation(decision)
    sheet.add_data_validation(code_list)
    decision.add(f"J2:J{last}")
    code_list.add(f"E2:E{last}")
    widths = {"A": 16, "B": 22, "C": 40, "D": 70, "E": 26, "F": 26, "G": 11, "H": 11, "I": 20, "J": 11, "K": 30}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    fill = PatternFill("solid", start_color="FFF2CC")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        row[9].fill = fill
    sheet.freeze_panes = "E2"
    guide = book.create_sheet("How to review", 0)
    for line in ("Review the machine's codes in the Review sheet, then run `qualcode review import DIR FILE.xlsx`.",
                 "decision: accept (the code is right), reject (it is wrong), or leave blank (not reviewed).",
                 "To add a code the machine missed, pick it in the blank row under the statement and write add.",
                 "Rows come most informative first: where the machine was least sure. Each decision is kept as a "
                 "person's coding that no machine run overwrites."):
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    save_workbook(book, path)
