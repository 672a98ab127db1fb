"""The tables that flow between stages, declared once: their columns, in order, with dtypes.

Every stage names a concept the same way (a statement is `segment_id`, its source `source_id`, its place in the
source `index`), and each table is checked where it crosses a stage boundary: the engine's input and output, what
the store gives and is given, and the evidence the hypotheses are weighed on. Checks run through pandera, loaded on
first use so that reading a project's settings or `qualcode --help` stays light. A mismatch is a defect between
stages, reported by table, column and check, never with a value from the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from qualcode.errors import TableMismatch

if TYPE_CHECKING:
    import pandas as pd

TEXT, WHOLE, REAL, FLAG = "str", "int64", "float64", "bool"


@dataclass(frozen=True)
class Table:
    """A table between stages: `columns` maps each column, in order, to its dtype; `nullable` columns may be
    empty; `optional` columns may be absent."""

    name: str
    columns: dict[str, str]
    nullable: frozenset[str] = field(default_factory=frozenset)
    optional: frozenset[str] = field(default_factory=frozenset)

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    @cached_property
    def _schema(self) -> Any:
        import pandera.pandas as pa

        # Empty frames built from SQL or by concatenation carry object dtypes: only a non-empty column must have
        # its declared dtype; a nullable whole number may come back from SQL as float (NaN stands for empty).
        return pa.DataFrameSchema(
            {name: pa.Column(_dtype(dtype, name in self.nullable), nullable=name in self.nullable,
                             required=name not in self.optional, coerce=False)
             for name, dtype in self.columns.items()},
            strict=False, name=self.name)

    def check(self, frame: pd.DataFrame, where: str) -> pd.DataFrame:
        """`frame`, if it has this table's columns and dtypes; else TableMismatch naming the column and check."""
        missing = [c for c in self.columns if c not in frame.columns and c not in self.optional]
        if missing:
            raise TableMismatch(f"{where}: the {self.name} table lacks column(s) {', '.join(missing)}.")
        if frame.empty:
            return frame
        import pandera.errors

        try:
            return self._schema.validate(frame, lazy=False)
        except pandera.errors.SchemaError as exc:
            column = getattr(exc.schema, "name", None) or "?"
            check = str(getattr(exc, "check", "") or exc.reason_code or "schema")
            raise TableMismatch(f"{where}: the {self.name} table's column {column!r} fails {check}.") from None


def _dtype(dtype: str, nullable: bool) -> str | None:
    if dtype == TEXT:
        return None  # pandas keeps text as object: the check is that the column is there (and filled)
    if dtype == WHOLE and nullable:
        return None  # int64, or float64 with NaN for the empty ones
    return dtype


STATEMENTS = Table("statements", {"segment_id": TEXT, "text": TEXT, "question": TEXT, "turn": TEXT},
                   nullable=frozenset({"question", "turn"}), optional=frozenset({"question", "turn"}))
SEGMENTS = Table("segments", {
    "segment_id": TEXT, "source_id": TEXT, "index": WHOLE, "turn_index": WHOLE, "speaker": TEXT, "role": TEXT,
    "agency": TEXT, "site": TEXT, "source_type": TEXT, "date": TEXT, "question": TEXT, "start": WHOLE,
    "end": WHOLE, "text": TEXT, "page": WHOLE, "section": TEXT},
    nullable=frozenset({"speaker", "date", "question", "page", "section"}), optional=frozenset({"page", "section"}))
CODINGS = Table("codings", {
    "segment_id": TEXT, "code_id": TEXT, "confidence": REAL, "assigned": FLAG, "rank": WHOLE, "method": TEXT,
    "valence": TEXT, "valence_confidence": REAL, "codebook": TEXT, "codebook_version": TEXT, "model": TEXT},
    nullable=frozenset({"code_id", "confidence", "rank", "valence", "valence_confidence"}),
    optional=frozenset({"valence_confidence"}))
STORED_CODINGS = Table("stored codings", {
    "segment_id": TEXT, "codebook": TEXT, "codebook_version": TEXT, "digest": TEXT, "code_id": TEXT,
    "confidence": REAL, "assigned": FLAG, "rank": WHOLE, "method": TEXT, "valence": TEXT, "model": TEXT,
    "coded_at": TEXT, "valence_confidence": REAL},
    nullable=frozenset({"valence", "coded_at", "digest", "rank", "valence_confidence"}),
    optional=frozenset({"valence_confidence"}))
DECISIONS = Table("decisions", {
    "segment_id": TEXT, "codebook": TEXT, "code_id": TEXT, "decision": TEXT, "valence": TEXT, "coder": TEXT,
    "decided_at": TEXT}, nullable=frozenset({"valence"}))
HYPOTHESIS_EVIDENCE = Table("hypothesis evidence", {
    "hypothesis_id": TEXT, "side": TEXT, "segment_id": TEXT, "source_id": TEXT, "speaker": TEXT, "role": TEXT,
    "agency": TEXT, "source_type": TEXT, "date": TEXT, "start": WHOLE, "end": WHOLE, "text": TEXT,
    "code_id": TEXT, "confidence": REAL, "valence": TEXT, "stance_confidence": REAL, "weight": REAL,
    "reviewed": FLAG}, nullable=frozenset({"speaker", "date", "valence"}))
INDICATOR_VALUES = Table("indicator values", {
    "dataset_id": TEXT, "indicator": TEXT, "period": TEXT, "series": TEXT, "value": REAL, "unit": TEXT,
    "better": TEXT, "code_id": TEXT, "line": WHOLE}, nullable=frozenset({"unit", "better", "code_id"}))
