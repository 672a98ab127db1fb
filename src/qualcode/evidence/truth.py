"""An analyst's day-by-day verdicts on a week's hypotheses (`truth.yaml`), and how the briefing's statuses score
against them: right, or reversed (supported where the truth is contradicted, or the other way)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from qualcode.errors import BadHypotheses
from qualcode.evidence.settings import Status
from qualcode.yamlfile import load_with_lines, strip_lines

Truth = Literal["supported", "contradicted", "mixed", "open"]
# The statuses that say what each verdict of the analyst says. "needs review" is the briefing declining to call
# it, which is right wherever the analyst would not call it either.
MATCHES: dict[Truth, frozenset[Status]] = {
    "supported": frozenset({"supported"}),
    "contradicted": frozenset({"contradicted"}),
    "mixed": frozenset({"contested", "needs review"}),
    "open": frozenset({"not yet tested", "emerging", "needs review"}),
}
REVERSED: dict[Truth, Status] = {"supported": "contradicted", "contradicted": "supported"}


class TruthFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    days: list[str]
    verdicts: dict[str, dict[str, Truth]]
    notes: dict[str, str] = {}


def load_truth(path: Path) -> TruthFile:
    raw = load_with_lines(path, BadHypotheses, "truth file")
    try:
        return TruthFile.model_validate(strip_lines(raw))
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"])
        raise BadHypotheses(f"field `{field}`: {error['msg']}.", path=path, line=1) from None


def score_verdicts(truth: TruthFile, statuses: pd.DataFrame) -> pd.DataFrame:
    """One row per (hypothesis, day) the truth names: columns hypothesis_id, day, truth, status, right,
    reversed. `statuses` has columns hypothesis_id, day, status; a day the briefing did not rate is 'missing'."""
    given = {(r.hypothesis_id, r.day): r.status for r in statuses.itertuples()}
    rows = []
    for hypothesis_id, days in truth.verdicts.items():
        for day, verdict in days.items():
            status = given.get((hypothesis_id, day), "missing")
            rows.append({"hypothesis_id": hypothesis_id, "day": day, "truth": verdict, "status": status,
                         "right": status in MATCHES[verdict], "reversed": REVERSED.get(verdict) == status})
    return pd.DataFrame(rows, columns=["hypothesis_id", "day", "truth", "status", "right", "reversed"])
