"""Coded statements: one row per (statement, assigned code), carrying everything a matrix cell or quote needs."""

from __future__ import annotations

import datetime as dt

import pandas as pd

STATEMENT_COLUMNS = ["segment_id", "source_id", "speaker", "role", "agency", "site", "source_type", "date",
                     "start", "end", "text", "code_id", "confidence", "valence", "valence_confidence", "method",
                     "page", "section"]
UNKNOWN = "unknown"


def voice_key(value: object) -> str:
    """How voices are compared: 'Health ' and 'health' are one agency, whoever typed the metadata."""
    return " ".join(str(value).split()).casefold()


def voices(values: pd.Series) -> frozenset[str]:
    """Distinct known voices: 'unknown' is no one in particular, so it never triangulates anything."""
    return frozenset(key for key in (voice_key(v) for v in values.dropna().unique()) if key != UNKNOWN)


def coded_statements(segments: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """Join statements to their assigned codes.

    Args:
        segments: one row per statement (`Store.segments()` columns: segment_id, source_id, speaker, role,
            agency, site, source_type, date, start, end, text).
        codings: codings of one codebook version (`Store.codings()` columns: segment_id, code_id, confidence,
            assigned, valence, method); rows not assigned are ignored.

    Returns:
        `STATEMENT_COLUMNS`, highest confidence first, so the first rows of any group are its best quotes.
    """
    if "valence_confidence" not in codings.columns:
        codings = codings.assign(valence_confidence=float("nan"))
    assigned = codings.loc[codings["assigned"].astype(bool) & codings["code_id"].notna(),
                           ["segment_id", "code_id", "confidence", "valence", "valence_confidence", "method"]]
    frame = segments.merge(assigned, on="segment_id", how="inner")
    frame["valence"] = frame["valence"].fillna("neutral")
    frame = frame.sort_values(["confidence", "segment_id"], ascending=[False, True], kind="stable")
    return frame.reindex(columns=STATEMENT_COLUMNS).reset_index(drop=True)


def segments_as_of(segments: pd.DataFrame, sources: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The statements the team could have known about on `day`: from sources dated (or, undated, ingested)
    on or before it.

    Args:
        segments: `Store.segments()`.
        sources: `Store.sources()` (columns source_id, date, ingested_on).
    """
    effective = sources["date"].fillna(sources["ingested_on"])
    known = set(sources.loc[effective <= day.isoformat(), "source_id"])
    return segments[segments["source_id"].isin(known)].reset_index(drop=True)
