"""People's decisions on machine codes (accept, reject, add): read from a file, and laid over machine coding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from qualcode.codebook.model import VALENCES, Codebook
from qualcode.errors import BadDecisions

DECISIONS = ("accept", "reject", "add")
HUMAN = "human"
REQUIRED = ("segment_id", "code_id", "decision")


def read_decisions(path: Path, codebook: Codebook, segment_ids: set[str], coder: str | None = None) -> pd.DataFrame:
    """Read a decisions CSV (columns segment_id, code_id, decision, and optionally coder, valence); every row is
    checked before any is used, and a bad one names its line.

    Returns:
        Columns segment_id, codebook, code_id, decision, valence, coder, decided_at.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise BadDecisions(f"The file cannot be read as CSV ({type(exc).__name__}).", path=path) from None
    frame.columns = [c.strip().lower() for c in frame.columns]
    if "id" in frame.columns and "segment_id" not in frame.columns:
        frame = frame.rename(columns={"id": "segment_id"})
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise BadDecisions(f"Missing column(s) {', '.join(missing)}; need segment_id, code_id, decision.",
                           path=path, line=1)
    codes = {c.id for c in codebook.leaves}
    frame["decision"] = frame["decision"].str.strip().str.lower()
    frame["valence"] = frame["valence"].str.strip().str.lower().replace("", None) if "valence" in frame else None
    if coder is not None or "coder" not in frame.columns:
        frame["coder"] = coder or ""
    for line, row in enumerate(frame.itertuples(index=False), start=2):
        problem = (f"unknown statement id {row.segment_id!r}" if row.segment_id not in segment_ids else
                   f"code {row.code_id!r} is not in codebook {codebook.name!r}" if row.code_id not in codes else
                   f"decision {row.decision!r} is not one of {', '.join(DECISIONS)}" if row.decision not in DECISIONS
                   else f"valence {row.valence!r} is not one of {', '.join(VALENCES)}"
                   if isinstance(row.valence, str) and row.valence not in VALENCES else
                   "no coder: add a coder column or pass --coder" if not str(row.coder).strip() else None)
        if problem:
            raise BadDecisions(f"Row {line - 1}: {problem}.", path=path, line=line)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    frame = frame.assign(codebook=codebook.name, decided_at=now)
    return frame.drop_duplicates(["segment_id", "code_id"], keep="last")[
        ["segment_id", "codebook", "code_id", "decision", "valence", "coder", "decided_at"]].reset_index(drop=True)


def apply_decisions(codings: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Machine codings with people's decisions laid over them: a rejected code is unassigned, an accepted or
    added one is assigned with confidence 1 and method 'human'. A person's valence wins; otherwise the
    statement keeps the machine's.

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
    valence = merged["human_valence"].fillna(merged["segment_id"].map(machine_valence)).fillna("neutral")
    merged.loc[kept, "valence"] = valence[kept]
    for column in ("codebook", "codebook_version", "model"):
        if column in merged.columns:
            merged[column] = merged[column].fillna(merged.groupby("segment_id")[column].transform("first"))
    merged["assigned"] = merged["assigned"].astype(bool)
    return merged.drop(columns=["decision", "human_valence", "_merge"]).reset_index(drop=True)
