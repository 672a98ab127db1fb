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
    frame["valence"] = frame["valence"].str.strip().str.lower().replace("", None) if "valence" in frame else None
    if coder is not None or "coder" not in frame.columns:
        frame["coder"] = coder or ""
    return checked_decisions(frame, codebook, segment_ids, path=path)


def checked_decisions(frame: pd.DataFrame, codebook: Codebook, segment_ids: set[str], path: Path | None = None,
                      decided_at: str | None = None) -> pd.DataFrame:
    """Decisions (segment_id, code_id, decision, valence, coder and, from a file, line) checked row by row before
    any is used, stamped with the codebook and the time; a person's last decision on a statement and code wins.

    Raises:
        BadDecisions: naming the first bad row (its line in `path`), never a value from it.
    """
    codes = {c.id for c in codebook.leaves}
    frame = frame.reset_index(drop=True)
    if "line" not in frame.columns:
        frame["line"] = range(2, len(frame) + 2)
    if "valence" not in frame.columns:
        frame["valence"] = None
    for row in frame.itertuples(index=False):
        problem = ("unknown statement id" if row.segment_id not in segment_ids else
                   f"code is not in codebook {codebook.name!r}" if row.code_id not in codes else
                   f"decision is not one of {', '.join(DECISIONS)}" if row.decision not in DECISIONS
                   else f"valence is not one of {', '.join(VALENCES)}"
                   if isinstance(row.valence, str) and row.valence not in VALENCES else
                   "no coder: add a coder column or pass --coder" if not str(row.coder).strip() else None)
        if problem:
            raise BadDecisions(f"Row {row.line - 1}: {problem}.", path=path, line=row.line if path else None)
    now = decided_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    frame = frame.assign(codebook=codebook.name, decided_at=now)
    return frame.drop_duplicates(["segment_id", "code_id", "coder"], keep="last")[
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


def latest_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    """The decision that counts on each statement and code: the latest, whoever made it (`Store.decisions()`
    keeps every person's own); a table without times keeps its order."""
    if "decided_at" in decisions.columns:
        decisions = decisions.sort_values("decided_at", kind="stable")
    return decisions.drop_duplicates(["segment_id", "code_id"], keep="last").reset_index(drop=True)


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
    decisions = latest_decisions(decisions)
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
    # as objects: with no valence given by anyone the first map is all-missing floats, which pandas will not fill
    # with strings
    valence = (merged["segment_id"].map(human_valence).astype(object)
               .fillna(merged["segment_id"].map(machine_valence)))
    merged.loc[kept, "valence"] = valence[kept].fillna("neutral")
    overridden = merged["segment_id"].isin(human_valence.index) & merged["assigned"].astype(bool)
    merged.loc[overridden, "valence"] = merged.loc[overridden, "segment_id"].map(human_valence)
    if "valence_confidence" in merged.columns:  # a stance a person decided or accepted is certain
        merged.loc[kept | overridden, "valence_confidence"] = 1.0
    for column in ("codebook", "codebook_version", "model"):
        if column in merged.columns:
            merged[column] = merged[column].fillna(merged.groupby("segment_id")[column].transform("first"))
    # a code added to a statement the machine left uncoded (a question, say) has no machine row to borrow from
    if "codebook" in merged.columns and "codebook" in decisions.columns:
        merged["codebook"] = merged["codebook"].fillna(decisions["codebook"].iloc[0])
    for column in ("codebook_version", "model"):
        if column in merged.columns and merged[column].isna().any():
            known = merged[column].dropna()
            merged[column] = merged[column].fillna(known.iloc[0] if len(known) else HUMAN)
    merged["assigned"] = merged["assigned"].astype(bool)
    return merged.drop(columns=["decision", "human_valence", "_merge"]).reset_index(drop=True)


def current_codings(store: Store, codebook: Codebook, digest: str, coder: str | None = None) -> pd.DataFrame:
    """The coding every output uses: the machine's codings under the current coding digest, people's decisions
    on its codes laid over them (only `coder`'s, when given) (`Store.codings()` columns)."""
    codings = store.codings(codebook.name, digest)
    decisions = store.decisions(codebook.name)
    if coder is not None:
        decisions = decisions[decisions["coder"] == coder]
    return apply_decisions(codings, decisions[decisions["code_id"].isin({c.id for c in codebook.leaves})])
