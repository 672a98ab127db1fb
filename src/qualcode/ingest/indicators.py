"""Performance data: a CSV or Excel table of indicators (one row per indicator and period) with comparators.

A table is performance data, not a questionnaire, when its header names an indicator and a value. Every other
column holding numbers is a comparator series (statistical neighbours, England, the region), kept under its own
name; a column of words (a description, a definition) is not read. The council's own figure is the series `value`.
Values are read as numbers ("12.5%", "1,204" included); an empty cell is no figure. Periods are kept as written and
ordered by `period_key` (years, financial years, quarters, months, dates). A problem is reported by line and column,
never with the cell's content.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from qualcode.errors import BadIndicators, BadTable, NoTextColumn
from qualcode.ingest.tables import read_sheets
from qualcode.schemas import INDICATOR_VALUES

OWN_SERIES = "value"
ALIASES = {
    "indicator": ("indicator", "indicator name", "measure", "metric", "kpi"),
    "period": ("period", "year", "quarter", "month", "date", "reporting period"),
    "value": ("value", "la value", "our value", "actual"),
    "unit": ("unit", "units", "measure unit"),
    "better": ("better", "polarity", "good is", "higher or lower is better", "direction"),
    "code_id": ("line of enquiry", "loe", "code", "code id", "code_id"),
}
IGNORED = ("notes", "note", "comment", "comments", "source", "rag", "target")
_NUMBER = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?$|^[-+]?\.\d+$")
CODE_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*")
MONTHS = {m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                      "dec"), start=1)}


def _name(column: object) -> str:
    return " ".join(str(column).replace("_", " ").split()).casefold()


def _roles(columns: list[object]) -> dict[str, str] | None:
    """Which column plays which part (indicator, period, value, ...), or None when the table is not performance data."""
    names = {_name(c): str(c) for c in columns}
    found = {role: next((names[a] for a in aliases if a in names), None) for role, aliases in ALIASES.items()}
    if found["indicator"] is None or found["value"] is None:
        return None
    return {role: column for role, column in found.items() if column is not None}


def read_indicators(path: Path, data: bytes) -> pd.DataFrame | None:
    """The table's figures in long form (`INDICATOR_VALUES` but dataset_id), or None when it is not performance
    data (then it is read as a questionnaire)."""
    if path.suffix.lower() not in (".csv", ".xlsx") or not data.strip():
        return None
    try:
        sheets, _ = read_sheets(path, data)
    except (BadTable, NoTextColumn):
        return None  # the questionnaire reader says what is wrong with it
    parts = [_long(path, frame, roles) for frame in sheets.values()
             if (roles := _roles(list(frame.columns))) is not None]
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True).drop_duplicates(["indicator", "period", "series"], keep="last")


def _long(path: Path, frame: pd.DataFrame, roles: dict[str, str]) -> pd.DataFrame:
    own = set(roles.values())
    comparators = [c for c in frame.columns if str(c) not in own and _name(c) not in IGNORED
                   and not str(c).startswith("Unnamed:") and _has_numbers(frame[c])]
    rows: list[dict[str, object]] = []
    for position, (_, row) in enumerate(frame.iterrows()):
        line = position + 2  # the header is line 1
        indicator = " ".join(str(row[roles["indicator"]]).split())
        if not indicator:
            continue
        period = _period(row[roles["period"]]) if "period" in roles else ""
        if "period" in roles and not period:
            raise BadIndicators("A row names an indicator but no period.", path=path, line=line)
        if period and not re.search(r"\d", period):
            raise BadIndicators("A period names no year (write 2024-25, Q3 2025, Mar 2026 or a date).", path=path,
                                line=line)
        better = _better(row.get(roles.get("better", ""), ""), path, line)
        unit = " ".join(str(row[roles["unit"]]).split()) if "unit" in roles else ""
        code = " ".join(str(row[roles["code_id"]]).split()) if "code_id" in roles else ""
        code = code if CODE_ID.fullmatch(code) else ""  # anything but a code id is not kept
        series = [(OWN_SERIES, roles["value"]), *((_name(c), str(c)) for c in comparators)]
        for name, column in series:
            value = _number(row[column], path, line, list(map(str, frame.columns)).index(column) + 1)
            if value is None:
                continue
            rows.append({"indicator": indicator, "period": period or "latest", "series": name, "value": value,
                         "unit": unit or None, "better": better, "code_id": code or None, "line": line})
    if not rows:
        raise BadIndicators("The table names indicators but holds no figures.", path=path, line=2)
    return pd.DataFrame(rows, columns=[c for c in INDICATOR_VALUES.names if c != "dataset_id"])


def _number(cell: object, path: Path, line: int, column: int) -> float | None:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return None if pd.isna(cell) else float(cell)
    text = str(cell).strip().rstrip("%").strip().replace("\u2212", "-")
    if not text or text.casefold() in ("-", "n/a", "na", "..", "x", "c", "*", "z", "low", "none"):
        return None  # no figure, or one suppressed for small numbers
    if not _NUMBER.match(text):
        raise BadIndicators(f"Column {column} holds something that is not a number.", path=path, line=line)
    return float(text.replace(",", ""))


def _period(cell: object) -> str:
    if isinstance(cell, dt.datetime | dt.date):  # Excel keeps a date as a date: the day, as ISO 8601
        return (cell.date() if isinstance(cell, dt.datetime) else cell).isoformat()
    return " ".join(str(cell).split())


def period_key(period: str) -> tuple[int, int, int, str]:
    """An order for periods as people write them: the year (a financial year by its first), then the quarter or
    month within it (a whole year after its parts), then the day. "2025-26 Q3" comes after "2024-25" and before
    "2025-26"; "Q4 2023" before "Q1 2024"; "Mar 2024" after "Feb 2024"."""
    text = period.casefold()
    if (date := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)) is not None:
        return int(date[1]), int(date[2]), int(date[3]), text
    year = re.search(r"(?<!\d)(\d{4})(?!\d)", text)
    if year is None:
        return 0, 0, 0, text
    quarter = re.search(r"\bq([1-4])\b", text)
    month = next((n for name, n in MONTHS.items() if re.search(rf"\b{name}", text)), None)
    within = int(quarter[1]) * 3 if quarter else month if month else 13
    return int(year[1]), within, 0, text


def _has_numbers(column: pd.Series) -> bool:
    """A comparator holds figures; a column of words (a description, a definition) is not one."""
    return any((isinstance(c, int | float) and not isinstance(c, bool) and not pd.isna(c))
               or _NUMBER.match(str(c).strip().rstrip("%").strip()) for c in column)


def _better(cell: object, path: Path, line: int) -> str | None:
    text = _name(cell)
    if not text:
        return None
    if text.startswith(("high", "up", "more", "increase")):
        return "higher"
    if text.startswith(("low", "down", "less", "fewer", "decrease")):
        return "lower"
    raise BadIndicators("The 'better' column says neither higher nor lower.", path=path, line=line)
