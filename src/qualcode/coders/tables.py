"""Reading a spreadsheet of statements (and of human codes) for `code-table`, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.errors import BadTableInput


def read_statements(path: Path, *, text_column: str, id_column: str, context_column: str | None = None,
                    turn_column: str | None = None) -> pd.DataFrame:
    """Columns segment_id (from `id_column`), text (and question, turn): every text cell must hold words;
    problems name file and line, never a value from them."""
    frame = _read(path)
    wanted = [id_column, text_column, *(c for c in (context_column, turn_column) if c)]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise BadTableInput(f"No column {', '.join(map(repr, missing))}; the columns are "
                            f"{', '.join(map(repr, frame.columns))}.", path=path, line=1)
    for position, (identifier, text) in enumerate(zip(frame[id_column], frame[text_column], strict=True)):
        line = position + 2
        if not isinstance(text, str) or not any(ch.isalpha() for ch in text):
            kind = "empty" if _blank(text) else "not text"
            raise BadTableInput(f"The {text_column!r} cell is {kind}; every statement needs words.",
                                path=path, line=line)
        if _blank(identifier):
            raise BadTableInput(f"The {id_column!r} cell is empty.", path=path, line=line)
    duplicated = frame[id_column].astype(str).duplicated()
    if duplicated.any():
        line = int(duplicated.to_numpy().nonzero()[0][0]) + 2
        raise BadTableInput(f"The {id_column!r} value on this line is used on an earlier line too.", path=path,
                            line=line)
    statements = pd.DataFrame({"segment_id": frame[id_column].astype(str), "text": frame[text_column].astype(str)})
    for name, column in (("question", context_column), ("turn", turn_column)):
        if column:
            statements[name] = frame[column].where(frame[column].notna(), "").astype(str)
    return statements


def read_codes(path: Path, statements: pd.DataFrame | None = None) -> pd.DataFrame:
    """A long table of codes (columns segment_id, code_id; a file may call the first `id`, as `code-table`'s
    input and output do); with `statements`, its statements must be among them."""
    frame = _read(path)
    if "segment_id" not in frame.columns and "id" in frame.columns:
        frame = frame.rename(columns={"id": "segment_id"})
    missing = {"segment_id", "code_id"} - set(frame.columns)
    if missing:
        raise BadTableInput(f"No column {', '.join(sorted(missing))}; a coding table has `id,code_id` (or "
                            "`segment_id,code_id`).", path=path, line=1)
    frame = frame.assign(segment_id=frame["segment_id"].astype(str), code_id=frame["code_id"].fillna("").astype(str))
    if statements is not None:
        unknown = ~frame["segment_id"].isin(set(statements["segment_id"]))
        if unknown.any():
            line = int(unknown.to_numpy().nonzero()[0][0]) + 2
            raise BadTableInput("The statement id on this line is not a statement in the input table.", path=path,
                                line=line)
    return frame


def check_codes(codes: pd.DataFrame, known: list[str], path: Path) -> None:
    """Every code in a coding table must be one statements can get in this codebook."""
    for line, code in enumerate(codes["code_id"], start=2):
        if code and code not in known:
            raise BadTableInput(f"{code!r} is not a code of this codebook that statements can get (a leaf).",
                                path=path, line=line)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or (isinstance(value, str)
                                                                                and not value.strip())


def _read(path: Path) -> pd.DataFrame:
    """Every cell as written: "N/A", "None" and "null" are answers people give, not missing values."""
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=object, keep_default_na=False)
        else:
            frame = pd.read_csv(path, dtype=object, keep_default_na=False)
    except FileNotFoundError:
        raise BadTableInput("The file does not exist.", path=path) from None
    except pd.errors.EmptyDataError:
        raise BadTableInput("The file is empty.", path=path) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise BadTableInput(f"The file cannot be read as a table ({type(exc).__name__}).", path=path) from None
    if frame.empty:
        raise BadTableInput("The table has a header but no rows.", path=path, line=2)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame
