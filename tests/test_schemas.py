"""The tables between stages are declared once and checked where they cross a boundary, naming the column and
the check, never a value (a value may be a statement)."""

from __future__ import annotations

import pandas as pd
import pytest

from qualcode.coders.engine import CODING_COLUMNS
from qualcode.errors import TableMismatch
from qualcode.evidence.weighing import EVIDENCE_COLUMNS
from qualcode.project import Project
from qualcode.schemas import CODINGS, HYPOTHESIS_EVIDENCE, SEGMENTS, STATEMENTS
from qualcode.store import Store
from qualcode.store.store import SEGMENT_COLUMNS


def test_the_column_lists_stages_use_are_the_declarations() -> None:
    assert CODINGS.names == CODING_COLUMNS and SEGMENTS.names == SEGMENT_COLUMNS
    assert HYPOTHESIS_EVIDENCE.names == EVIDENCE_COLUMNS
    one_name = {"segment_id", "source_id"}  # one name per concept: no table calls a statement or a source `id`
    for table in (STATEMENTS, SEGMENTS, CODINGS, HYPOTHESIS_EVIDENCE):
        assert "id" not in table.columns and "idx" not in table.columns
        assert "segment_id" in table.columns or not one_name & set(table.columns)


def test_the_store_names_statements_and_sources_as_every_table_does(review_week_project: Project) -> None:
    with Store(review_week_project.store_path) as store:
        segments, sources = store.segments(), store.sources()
    assert list(segments.columns) == SEGMENTS.names and "source_id" in sources.columns
    assert set(segments["source_id"]) == set(sources["source_id"])


def _coding(**change: object) -> pd.DataFrame:
    row = {"segment_id": "s1", "code_id": "loe.capacity_resources", "confidence": 0.8, "assigned": True, "rank": 1,
           "method": "embedding", "valence": None, "codebook": "LOE", "codebook_version": "1", "model": "m"}
    return pd.DataFrame([{**row, **change}])


def test_a_table_that_matches_its_declaration_passes_as_it_is() -> None:
    frame = _coding()
    assert CODINGS.check(frame, "here") is not None
    assert CODINGS.check(frame.iloc[0:0], "here").empty  # an empty table needs its columns only


@pytest.mark.parametrize("frame, column, check", [
    (_coding().drop(columns="segment_id"), "segment_id", "lacks"),
    (_coding().rename(columns={"segment_id": "id"}), "segment_id", "lacks"),
    (_coding(assigned="Kayleigh Hargreaves"), "assigned", "bool"),
    (_coding(confidence="Kayleigh Hargreaves"), "confidence", "float64"),
])
def test_a_mismatch_names_the_table_column_and_check_never_a_value(frame: pd.DataFrame, column: str,
                                                                   check: str) -> None:
    with pytest.raises(TableMismatch) as caught:
        CODINGS.check(frame, "coding engine output")
    said = str(caught.value)
    assert caught.value.code == "E901" and "coding engine output" in said and "codings" in said
    assert column in said and check in said and "Kayleigh" not in said
