"""The framework matrix: one row per case, one column per code, each cell a count, a valence split and quotes."""

from __future__ import annotations

import pandas as pd

from qualcode.evidence.quotes import best_quotes, cite
from qualcode.evidence.settings import Case

CASE_COLUMN: dict[Case, str] = {"source": "source_id", "role": "role", "agency": "agency", "site": "site",
                                "source_type": "source_type"}
MATRIX_COLUMNS = ["case", "code_id", "statements", "strengths", "areas_for_improvement", "neutral",
                  "strength_share", "improvement_share", "quotes", "quote_refs"]


def framework_matrix(statements: pd.DataFrame, case: Case, codes: list[str], quotes: int = 3
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Chart coded statements by case and code.

    Args:
        statements: `coded_statements` rows (highest confidence first).
        case: what a row stands for; its values come from the column `CASE_COLUMN[case]`.
        codes: the codes to chart, in column order; cells with no statement are left out of the long table.

    Returns:
        (matrix, quotes): the matrix in long form (`MATRIX_COLUMNS`, one row per non-empty cell; quotes are
        cited by role, and `quote_refs` holds `source_id:start-end` for each), and the chosen quotes
        (columns case, code_id and `QUOTE_COLUMNS`).
    """
    column = CASE_COLUMN[case]
    frame = statements[statements["code_id"].isin(codes)].assign(case=lambda f: f[column].astype(str))
    keys = ["case", "code_id"]
    counts = pd.crosstab([frame["case"], frame["code_id"]], frame["valence"]).reindex(
        columns=["strength", "area_for_improvement", "neutral"], fill_value=0)
    matrix = counts.rename(columns={"strength": "strengths", "area_for_improvement": "areas_for_improvement"})
    matrix["statements"] = matrix.sum(axis=1)
    matrix["strength_share"] = (matrix["strengths"] / matrix["statements"]).round(3)
    matrix["improvement_share"] = (matrix["areas_for_improvement"] / matrix["statements"]).round(3)
    chosen = best_quotes(frame, quotes, by=keys)
    cited = chosen.assign(
        cited=[cite(t, r) for t, r in zip(chosen["text"], chosen["role"], strict=True)],
        ref=chosen["source_id"].astype(str) + ":" + chosen["start"].astype(str) + "-" + chosen["end"].astype(str))
    joined = cited.groupby(keys, sort=False).agg(quotes=("cited", "\n".join), quote_refs=("ref", "; ".join))
    matrix = matrix.join(joined).reset_index()
    order = {code: i for i, code in enumerate(codes)}
    matrix = matrix.sort_values(["case", "code_id"], key=lambda s: s.map(order) if s.name == "code_id" else s)
    return matrix.reindex(columns=MATRIX_COLUMNS).reset_index(drop=True), chosen


def matrix_counts(matrix: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """The matrix as a grid of counts (cases x codes, zeros where nothing was said): the heat map."""
    grid = matrix.pivot_table(index="case", columns="code_id", values="statements", aggfunc="sum", fill_value=0)
    return grid.reindex(columns=codes, fill_value=0).astype(int)
