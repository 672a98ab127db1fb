"""Spreadsheets of free-text answers: one row per respondent, one column per question."""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from qualcode.errors import BadTable, CorruptDocument, NoTextColumn
from qualcode.models import UNKNOWN, ParsedFile, RawTurn, SpeakerMeta
from qualcode.text import decode

RESPONDENT_COLUMNS = ("respondent", "respondent_id", "respondent id", "id")
# Columns that describe the respondent or the form: never questions. Names and contact details are dropped.
DESCRIPTIVE_COLUMNS = frozenset({*RESPONDENT_COLUMNS, "role", "agency", "site", "name", "full name", "email",
                                 "e-mail", "email address", "phone", "telephone", "start time", "completion time",
                                 "last modified time", "timestamp", "submitted", "submission date"})
QUESTION_SPEAKER = "Question"
_LETTER = re.compile(r"[^\W\d_]")


def read_sheets(path: Path, data: bytes) -> tuple[dict[str, pd.DataFrame], str | None]:
    """A CSV's table ("" its name) or every sheet of a workbook, each cell as written (a blank cell is ""), and
    the CSV's encoding. Performance data and questionnaires are both told from this one reading: a file is parsed
    once however many readers look at it (each gets its own copies)."""
    sheets, encoding = _sheets(path.suffix.lower(), data, path)
    return {name: frame.copy() for name, frame in sheets.items()}, encoding


@lru_cache(maxsize=1)
def _sheets(suffix: str, data: bytes, path: Path) -> tuple[dict[str, pd.DataFrame], str | None]:
    if suffix == ".csv":
        text, encoding = decode(data, path)
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False, skipinitialspace=True)
        except pd.errors.ParserError as exc:
            line = re.search(r"line (\d+)", str(exc))
            raise BadTable("The CSV rows do not match its header.", path=path,
                           line=int(line.group(1)) if line else None) from None
        except pd.errors.EmptyDataError:
            raise NoTextColumn("The CSV has no header row.", path=path, line=1) from None
        return {"": frame}, encoding
    try:
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=object, engine="openpyxl",
                               keep_default_na=False)
    except Exception:  # openpyxl raises zipfile, KeyError and XML errors for damaged files
        raise CorruptDocument("The Excel workbook cannot be opened.", path=path) from None
    return {str(name): frame.where(frame.notna(), "") for name, frame in sheets.items()}, None


def read_csv(path: Path, data: bytes) -> ParsedFile:
    sheets, encoding = read_sheets(path, data)
    return _answers(path, sheets[""], fmt="csv", encoding=encoding, first_row_line=2)


def read_xlsx(path: Path, data: bytes) -> ParsedFile:
    """Every sheet that holds free-text answers, in order ("N/A" and "None" are answers, not blanks); each
    later sheet's respondents are labelled with its number, so they are not taken for the first sheet's."""
    sheets, _ = read_sheets(path, data)
    parsed: list[ParsedFile] = []
    for number, frame in enumerate(sheets.values(), start=1):
        try:
            parsed.append(_answers(path, frame, fmt="xlsx", encoding=None, first_row_line=2, sheet=number))
        except NoTextColumn:
            continue  # a sheet of ratings or lookups
    if not parsed:
        raise NoTextColumn("No sheet has a column of free-text answers.", path=path, line=1)
    if len(parsed) == 1:
        return parsed[0]
    return ParsedFile(format="xlsx", turns=[t for p in parsed for t in p.turns], encoding=None,
                      speakers={k: v for p in parsed for k, v in p.speakers.items()})


def _answers(path: Path, frame: pd.DataFrame, *, fmt: str, encoding: str | None,
             first_row_line: int, sheet: int | None = None) -> ParsedFile:
    """Lay answers out as question/answer turns so each answer carries its question as context."""
    frame.columns = [" ".join(str(c).split()) for c in frame.columns]
    lower = {c: c.casefold() for c in frame.columns}
    questions = [c for c in frame.columns
                 if lower[c] not in DESCRIPTIVE_COLUMNS and not c.startswith("Unnamed:")
                 and _is_text_column(frame[c])]
    if not questions:
        raise NoTextColumn("No column holds free-text answers.", path=path, line=1)
    respondent_col = next((c for c in frame.columns if lower[c] in RESPONDENT_COLUMNS), None)
    role_col = next((c for c in frame.columns if lower[c] == "role"), None)
    agency_col = next((c for c in frame.columns if lower[c] == "agency"), None)

    turns: list[RawTurn] = []
    speakers: dict[str, SpeakerMeta] = {}
    for position, (_, row) in enumerate(frame.iterrows()):
        line = first_row_line + position
        label = _cell(row[respondent_col]) if respondent_col else ""
        label = label or (f"Respondent {position + 1}" if sheet in (None, 1) else
                          f"Sheet {sheet} respondent {position + 1}")
        if role_col or agency_col:
            speakers[label] = SpeakerMeta(role=_cell(row[role_col]) if role_col else UNKNOWN,
                                          agency=_cell(row[agency_col]) if agency_col else UNKNOWN)
        for question in questions:
            answer = _cell(row[question])
            if answer:
                turns.append(RawTurn(speaker=QUESTION_SPEAKER, text=question, line=line, is_question=True))
                turns.append(RawTurn(speaker=label, text=answer, line=line))
    return ParsedFile(format=fmt, turns=turns, encoding=encoding, speakers=speakers)


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def _is_text_column(column: pd.Series) -> bool:
    """A question column has answers in words; ratings and counts do not."""
    cells = [_cell(v) for v in column]
    filled = [c for c in cells if c]
    if not filled:
        return False
    numeric = sum(1 for c in filled if _is_number(c))
    return numeric < len(filled) and any(_LETTER.search(c) for c in filled)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
