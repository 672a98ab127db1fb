"""Putting statement text into Excel safely: as text (never a formula), without the characters Excel refuses,
and saved whole (written aside, then renamed) so a failed save never leaves half a workbook."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """Append a row; strings lose control characters Excel cannot hold and are always text, so a statement
    that starts with '=' is shown, not evaluated."""
    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"


def save_workbook(book: Workbook, path: Path) -> None:
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        book.save(staging)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
