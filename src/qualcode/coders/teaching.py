"""What people's decisions teach the machine: the codes and the valence each statement they decided holds.

A statement a person decided is coded by them, not the machine (`apply_decisions`), but it also teaches the machine
about the statements like it: the coding engine learns the codes and valence below beside the codebook's examples,
and its coding digest includes `teaching_digest`, so every new decision recodes the corpus with what it taught.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from qualcode.coders.digest import DIGEST_CHARS
from qualcode.review.decisions import latest_decisions

TEACHING_COLUMNS = ["segment_id", "code_id", "valence"]


def teaching(decisions: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """One row per (statement, code the person says it holds), with the statement's valence as the person last
    gave it (None where they gave none); a statement whose every code the person rejected is one row with no
    code: it holds none of them. Decisions on codes the codebook no longer has teach nothing.

    Args:
        decisions: `Store.decisions()` rows of one codebook.
        codes: the codebook's leaf codes.
    """
    known = latest_decisions(decisions[decisions["code_id"].isin(codes)]).sort_values(
        ["decided_at", "segment_id", "code_id"])
    if known.empty:
        return pd.DataFrame(columns=TEACHING_COLUMNS)
    valence = known.dropna(subset=["valence"]).drop_duplicates("segment_id", keep="last").set_index(
        "segment_id")["valence"]
    kept = known[known["decision"].isin(["accept", "add"])][["segment_id", "code_id"]]
    rejected_only = sorted(set(known["segment_id"]) - set(kept["segment_id"]))
    rows = pd.concat([kept, pd.DataFrame({"segment_id": rejected_only, "code_id": None})], ignore_index=True)
    rows["valence"] = rows["segment_id"].map(valence)
    rows = rows.sort_values(["segment_id", "code_id"], na_position="last").reset_index(drop=True)
    return rows[TEACHING_COLUMNS].astype(object).where(rows.notna(), None)


def teaching_digest(taught: pd.DataFrame) -> str:
    """The identity of what a teaching table teaches ('' when it teaches nothing)."""
    if taught.empty:
        return ""
    text = taught[TEACHING_COLUMNS].astype(object).fillna("").astype(str).to_csv(index=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]
