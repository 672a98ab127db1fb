"""Documents, data and voices for one report: the tables the briefing, the workbook and the workbench show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from qualcode.codebook.model import Codebook
from qualcode.errors import BadConfig
from qualcode.evidence.analysis import Analysis
from qualcode.evidence.hypotheses import HypothesisSet
from qualcode.evidence.settings import StatusRule
from qualcode.evidence.weighing import hypothesis_evidence
from qualcode.models import DOCUMENT
from qualcode.prereview.claims import documents_vs_voices, side_by_side
from qualcode.prereview.indicators import WORSE, assess_indicators, figure
from qualcode.prereview.proposals import proposals_yaml, propose_hypotheses
from qualcode.prereview.settings import PreReviewConfig
from qualcode.prereview.stated import as_stated

INDICATORS_TABLE = "indicators"
SIDE_BY_SIDE_TABLE = "documents_data_voices"
CONTRADICTIONS_TABLE = "documents_vs_voices"
PROPOSALS_TABLE = "proposed_hypotheses"


@dataclass(frozen=True)
class PreReview:
    """What the documents claim, what the data shows and what people say, as of one report."""

    documents: int  # document sources known
    indicators: pd.DataFrame
    side_by_side: pd.DataFrame
    contradictions: pd.DataFrame
    proposals: pd.DataFrame

    @property
    def empty(self) -> bool:
        return not self.documents and self.indicators.empty

    def tables(self) -> dict[str, pd.DataFrame]:
        proposals = self.proposals.assign(codes=self.proposals["codes"].map(", ".join),
                                          keywords=self.proposals["keywords"].map(", ".join))
        return {INDICATORS_TABLE: self.indicators, SIDE_BY_SIDE_TABLE: self.side_by_side,
                CONTRADICTIONS_TABLE: self.contradictions, PROPOSALS_TABLE: proposals}

    def records(self) -> dict[str, Any]:
        """As the briefing and the workbench show it: plain records, each indicator's figure as it reads."""
        return {"documents": self.documents,
                "indicators": [{**row, "shown": figure(float(row["value"]), str(row["unit"] or ""))}
                               for row in self.indicators.to_dict("records")],
                "side_by_side": self.side_by_side.to_dict("records"),
                "contradictions": self.contradictions.to_dict("records"),
                "proposals": self.proposals.to_dict("records")}

    def proposals_yaml(self) -> str:
        """The proposed hypotheses as entries to edit into hypotheses.yaml."""
        return proposals_yaml(self.proposals)

    def counts(self) -> dict[str, int]:
        """In counts only: for logs and flow artifacts."""
        return {"documents": self.documents, "indicators": len(self.indicators),
                "outliers": int((self.indicators["flag"] == WORSE).sum()) if len(self.indicators) else 0,
                "contradictions": len(self.contradictions), "proposals": len(self.proposals)}


def before_the_week(analysis: Analysis, values: pd.DataFrame, hypotheses: HypothesisSet, codebook: Codebook,
                    rule: StatusRule, settings: PreReviewConfig | None = None) -> PreReview:
    """Assess the data, set documents and data beside the voices, and propose hypotheses.

    Args:
        analysis: the report's `analyse` result (its `documents` kept apart from the voices).
        values: `Store.indicator_values()`.
        rule: the status rule: a document's claim bears on a hypothesis as anyone's statement does.
        settings: `prereview:` in qualcode.yaml (a code it names that the codebook lacks is refused).
    """
    settings = settings or PreReviewConfig()
    known = {c.id for c in codebook.leaves}
    for position, code in enumerate(settings.indicator_codes.values(), start=1):
        if code not in known:
            raise BadConfig(f"prereview.indicator_codes entry {position} names code {code!r}, which the codebook "
                            f"{codebook.name} does not have (its codes: {', '.join(sorted(known))}).")
    indicators = assess_indicators(values, codebook, settings.indicator_codes, settings.outlier)
    documents = as_stated(analysis.documents)
    claims = hypothesis_evidence(documents, hypotheses, codebook, rule)
    table = side_by_side(analysis.summary, analysis.evidence, claims, documents, indicators, hypotheses, codebook)
    segments = analysis.segments
    return PreReview(
        documents=int(segments.loc[segments["source_type"] == DOCUMENT, "source_id"].nunique()),
        indicators=indicators, side_by_side=table,
        contradictions=documents_vs_voices(table, analysis.evidence, claims, documents),
        proposals=propose_hypotheses(documents, indicators, hypotheses, codebook))
