"""Choosing quotes: the most confident statements, from as many different voices as possible."""

from __future__ import annotations

import pandas as pd

QUOTE_COLUMNS = ["rank", "segment_id", "source_id", "start", "end", "role", "confidence", "text"]


def best_quotes(statements: pd.DataFrame, count: int, by: list[str] | None = None) -> pd.DataFrame:
    """Up to `count` quotes per group of `by`: first the best statement of each distinct speaker, then the next
    best overall. Vectorised, so a matrix of thousands of cells picks its quotes in one pass.

    Args:
        statements: rows with `QUOTE_COLUMNS` (but rank) plus `speaker` and the `by` columns, sorted by
            confidence, highest first (as `coded_statements` returns them).
        by: the grouping columns (e.g. ["role", "code_id"]); none for a single list.

    Returns:
        The `by` columns, then `QUOTE_COLUMNS`; `rank` counts from 1 within each group.
    """
    by = by or []
    unique = statements.drop_duplicates([*by, "segment_id"]).copy()
    voice = unique["source_id"].astype(str) + "\x1f" + unique["speaker"].fillna("").astype(str)
    unique["_repeat"] = voice.to_frame("voice").join(unique[by]).duplicated().to_numpy()
    unique["_order"] = range(len(unique))
    ordered = unique.sort_values([*by, "_repeat", "_order"], kind="stable")
    ordered["rank"] = ordered.groupby(by, sort=False).cumcount() + 1 if by else range(1, len(ordered) + 1)
    chosen = ordered[ordered["rank"] <= count]
    return chosen.reindex(columns=[*by, *QUOTE_COLUMNS]).reset_index(drop=True)


def cite(text: str, role: str) -> str:
    """A quote as the team reads it aloud: the words, then the speaker's role (never a name)."""
    return f"\u201c{text}\u201d \u2014 {role}"
