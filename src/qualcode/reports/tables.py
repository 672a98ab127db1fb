"""The report's tables by name, and writing them as CSV and Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode.evidence.analysis import Analysis
from qualcode.evidence.delta import Delta
from qualcode.outputs import write_csv


def report_tables(analysis: Analysis, delta: Delta) -> dict[str, pd.DataFrame]:
    """Every table of a report, named as its files are (`<name>.csv`, `<name>.parquet`)."""
    tables = {"sources": report_sources(analysis.segments), "statements": analysis.statements,
              "hypotheses": analysis.summary,
              "hypothesis_evidence": analysis.evidence, "hypothesis_quotes": analysis.hypothesis_quotes,
              "review_list": analysis.review_list}
    for case, matrix in analysis.matrices.items():
        tables[f"matrix_by_{case}"] = matrix
        tables[f"matrix_quotes_by_{case}"] = analysis.matrix_quotes[case]
    tables |= {"changes_by_code": delta.codes, "changes_by_hypothesis": delta.hypotheses,
               "new_voices": delta.voices}
    return tables


def report_sources(segments: pd.DataFrame) -> pd.DataFrame:
    """The sources a report covers (what the next report compares with): source_id, source_type, site, date,
    roles, agencies, statements."""
    if segments.empty:
        return pd.DataFrame(columns=["source_id", "source_type", "site", "date", "roles", "agencies", "statements"])
    return segments.groupby("source_id", sort=True).agg(
        source_type=("source_type", "first"), site=("site", "first"), date=("date", "first"),
        roles=("role", lambda r: "; ".join(sorted(set(r)))), agencies=("agency", lambda a: "; ".join(sorted(set(a)))),
        statements=("segment_id", "count")).reset_index()


def write_tables(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    written = []
    for name, table in tables.items():
        write_csv(table, folder / f"{name}.csv")
        table.to_parquet(folder / f"{name}.parquet", index=False)
        written += [folder / f"{name}.csv", folder / f"{name}.parquet"]
    return written
