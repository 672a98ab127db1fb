"""How much of what each voice says the framework holds: the share of statements coded with confidence.

A voice whose share falls (health on day 3, say) is talking about things the lines of enquiry do not name; that
is where tonight's emerging themes come from.
"""

from __future__ import annotations

import pandas as pd

from qualcode.evidence.statements import UNKNOWN

COVERAGE_COLUMNS = ["agency", "day", "statements", "held", "share"]


def held_statements(codings: pd.DataFrame, low_confidence: float) -> set[str]:
    """The statements a code holds: assigned at `low_confidence` or more (a person's code always holds)."""
    assigned = codings[codings["assigned"].astype(bool)]
    sure = (assigned["confidence"] >= low_confidence) | (assigned["method"] == "human")
    return set(assigned.loc[sure, "segment_id"])


def framework_coverage(segments: pd.DataFrame, codings: pd.DataFrame, low_confidence: float) -> pd.DataFrame:
    """Per agency and day (the source's date), how many statements there were and how many a code holds.

    Args:
        segments: the statements (`Store.segments()` columns, `agency` and `date` among them).
        codings: their codings of one coding digest, people's decisions laid over them.

    Returns:
        `COVERAGE_COLUMNS`, by agency then day; `share` is held / statements (0 to 1). Statements of no known
        agency count as 'unknown'; of no date, as day ''.
    """
    held = held_statements(codings, low_confidence)
    frame = pd.DataFrame({
        "agency": segments["agency"].fillna(UNKNOWN).astype(str).str.strip().replace("", UNKNOWN),
        "day": segments["date"].fillna("").astype(str),
        "held": segments["segment_id"].isin(held)})
    grouped = frame.groupby(["agency", "day"], sort=True)["held"].agg(statements="size", held="sum").reset_index()
    grouped["held"] = grouped["held"].astype(int)
    grouped["share"] = (grouped["held"] / grouped["statements"]).round(3)
    return grouped.reindex(columns=COVERAGE_COLUMNS)
