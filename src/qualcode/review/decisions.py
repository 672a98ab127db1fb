"""People's decisions on machine codes (accept, reject, add): read from a file, and laid over machine coding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from qualcode.codebook.model import VALENCES, Codebook
from qualcode.errors import BadDecisions
from qualcode.store import Store

DECISIONS = ("accept", "reject", "add")
HUMAN = "human"
REQUIRED = ("segment_id", "code_id", "decision")


def read_decisions(path: Path, codebook: Codebook, segment_ids: set[str], coder: str | None = None) -> pd.DataFrame:
    """Read decisions from a CSV (columns segment_id, code_id, decision, and optionally coder, valence) or a review
    workbook from `qualcode review export` (rows with a decision); every row is checked before any is used, and
    a bad one names its line.

    Returns:
        Columns segment_id, codebook, code_id, decision, valence, coder, decided_at.
    """
    frame = _read_table(path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "id" in frame.columns and "segment_id" not in frame.columns:
        frame = frame.rename(columns={"id": "segment_id"})
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise BadDecisions(f"Missing column(s) {', '.join(missing)}; need segment_id, code_id, decision.",
                           path=path, line=1)
    frame["line"] = range(2, len(frame) + 2)
    frame["decision"] = frame["decision"].str.strip().str.lower()
    if path.suffix.lower() == ".xlsx":
        frame = frame[frame["decision"] != ""]  # a review workbook's blank decisions are rows not reviewed
    codes = {c.id for c in codebook.leaves}
    frame["valence"] = frame["valence"].str.strip().str.lower().replace("", None) if "valence" in frame else None
    if coder is not None or "coder" not in frame.columns:
        frame["coder"] = coder or ""
    for row in frame.itertuples(index=False):
        problem = (f"unknown statement id {row.segment_id!r}" if row.segment_id not in segment_ids else
                   f"code {row.code_id!r} is not in codebook {codebook.name!r}" if row.code_id not in codes else
                   f"decision {row.decision!r} is not one of {', '.join(DECISIONS)}" if row.decision not in DECISIONS
                   else f"valence {row.valence!r} is not one of {', '.join(VALENCES)}"
                   if isinstance(row.valence, str) and row.valence not in VALENCES else
                   "no coder: add a coder column or pass --coder" if not str(row.coder).strip() else None)
        if problem:
            raise BadDecisions(f"Row {row.line - 1}: {problem}.", path=path, line=row.line)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    frame = frame.assign(codebook=codebook.name, decided_at=now)
    return frame.drop_duplicates(["segment_id", "code_id"], keep="last")[
        ["segment_id", "codebook", "code_id", "decision", "valence", "coder", "decided_at"]].reset_index(drop=True)


def _read_table(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() == ".xlsx":
            from qualcode.review.export import SHEET

            return pd.read_excel(path, sheet_name=SHEET, dtype=str).fillna("")
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as exc:
        raise BadDecisions(f"The file cannot be read as a decisions table ({type(exc).__name__}).",
                           path=path) from None


def apply_decisions(codings: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Machine codings with people's decisions laid over them: a rejected code is unassigned, an accepted or
    added one is assigned with confidence 1 and method 'human'. A person's latest valence wins, for every code
    the statement keeps; otherwise the statement keeps the machine's.

    Args:
        codings: `Store.codings()` rows of one codebook version.
        decisions: `Store.decisions(codebook)` rows.
    """
    if decisions.empty:
        return codings
    key = ["segment_id", "code_id"]
    machine_valence = (codings.dropna(subset=["valence"]).drop_duplicates("segment_id")
                       .set_index("segment_id")["valence"])
    merged = codings.merge(decisions[[*key, "decision", "valence"]].rename(columns={"valence": "human_valence"}),
                           on=key, how="outer", indicator=True)
    decided = merged["decision"].notna()
    kept = merged["decision"].isin(["accept", "add"])
    merged.loc[merged["decision"] == "reject", "assigned"] = False
    merged.loc[kept, "assigned"] = True
    merged.loc[kept, "confidence"] = 1.0
    merged.loc[decided, "method"] = HUMAN
    # A person's valence is about the statement, so it holds for every code the statement keeps.
    given = decisions.dropna(subset=["valence"])
    if "decided_at" in given.columns:  # the latest last; a table without times keeps its order
        given = given.sort_values("decided_at", kind="stable")
    human_valence = given.drop_duplicates("segment_id", keep="last").set_index("segment_id")["valence"]
    valence = merged["segment_id"].map(human_valence).fillna(merged["segment_id"].map(machine_valence))
    merged.loc[kept, "valence"] = valence[kept].fillna("neutral")
    overridden = merged["segment_id"].isin(human_valence.index) & merged["assigned"].astype(bool)
    merged.loc[overridden, "valence"] = merged.loc[overridden, "segment_id"].map(human_valence)
    if "valence_confidence" in merged.columns:  # a stance a person decided or accepted is certain
        merged.loc[kept | overridden, "valence_confidence"] = 1.0
    for column in ("codebook", "codebook_version", "model"):
        if column in merged.columns:
            merged[column] = merged[column].fillna(merged.groupby("segment_id")[column].transform("first"))
    merged["assigned"] = merged["assigned"].astype(bool)
    return merged.drop(columns=["decision", "human_valence", "_merge"]).reset_index(drop=True)


def current_codings(store: Store, codebook: Codebook, digest: str) -> pd.DataFrame:
    """The coding every output uses: the machine's codings under the current coding digest, people's decisions
    on its codes laid over them (`Store.codings()` columns)."""
    codings = store.codings(codebook.name, digest)
    decisions = store.decisions(codebook.name)
    return apply_decisions(codings, decisions[decisions["code_id"].isin({c.id for c in codebook.leaves})])
