"""Putting statement text into Excel safely: as text (never a formula), without the characters Excel refuses,
and saved whole (written aside, then renamed) so a failed save never leaves half a workbook."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Container, Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet


def append_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[object], *, font: Font | None = None,
               wrap: Container[int] | None = None, alignment: Alignment | None = None) -> None:
    """Append a row; strings lose control characters Excel cannot hold and are always text, so a statement
    that starts with '=' is shown, not evaluated. `wrap` holds the 0-based columns that take `alignment`.
    Works in write-only mode, where rows stream to disk, and costs the same for the millionth row as the first."""
    row: list[object] = []
    for column, value in enumerate(values):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        styled = font is not None or (alignment is not None and (wrap is None or column in wrap))
        if not styled and not (isinstance(value, str) and value.startswith("=")):
            row.append(value)
            continue
        cell = WriteOnlyCell(sheet, value)
        if isinstance(value, str):
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        if alignment is not None and (wrap is None or column in wrap):
            cell.alignment = alignment
        row.append(cell)
    sheet.append(row)


def save_workbook(book: Workbook, path: Path) -> None:
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        book.save(staging)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
