"""How evidence is charted and when a hypothesis counts as supported: the `evidence:` block of qualcode.yaml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Case = Literal["source", "role", "agency", "site", "source_type"]
ALL_CASES: tuple[Case, ...] = ("role", "agency", "source_type", "site", "source")
Status = Literal["not yet tested", "emerging", "supported", "contested", "contradicted", "needs review"]
STATUSES: tuple[Status, ...] = ("not yet tested", "emerging", "supported", "contested", "contradicted",
                                "needs review")


class StatusRule(BaseModel):
    """The written-down rule that turns weighed evidence into a status (see `qualcode.evidence.status`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_statements: int = Field(3, ge=1, description="statements for and against before anything but 'emerging'")
    min_roles: int = Field(2, ge=1, description="distinct roles a side needs to count as triangulated")
    min_agencies: int = Field(2, ge=1, description="distinct agencies a side needs to count as triangulated")
    majority: float = Field(0.67, gt=0.5, le=1.0, description="share of the weight a side needs to win")
    min_stance_confidence: float = Field(
        0.6, ge=0.0, le=1.0, description="how sure the machine must be of a statement's stance for it to count")
    swing: int = Field(2, ge=0, description="a verdict that these many unreviewed statements decide needs review")
    min_voices_heard: float = Field(
        0.5, ge=0.0, le=1.0, description="share of the agencies a hypothesis needs that must have spoken on it "
                                         "before it is called supported or contradicted")
    team_notes: list[str] = Field(
        default_factory=lambda: ["interviewer_notes"],
        description="source types that are the review team's own notes: shown, but neither weighed nor a voice")


DEFAULT_AGENCIES = ["children's social care", "education", "health", "police", "voluntary sector",
                    "safeguarding board"]


class EvidenceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    hypotheses: str = "hypotheses.yaml"
    cases: list[Case] = Field(default_factory=lambda: list(ALL_CASES), min_length=1)
    briefing_case: Case = "agency"
    quotes_per_cell: int = Field(3, ge=1, le=10)
    quotes_per_side: int = Field(3, ge=1, le=10)
    review_per_hypothesis: int = Field(3, ge=0, le=20, description="statements per hypothesis on the evening's "
                                                                    "review list")
    expected_agencies: list[str] = Field(default_factory=lambda: list(DEFAULT_AGENCIES))
    status: StatusRule = Field(default_factory=StatusRule)

    @model_validator(mode="after")
    def _briefing_case_is_charted(self) -> EvidenceConfig:
        if self.briefing_case not in self.cases:
            raise ValueError(f"briefing_case {self.briefing_case!r} must be one of cases ({', '.join(self.cases)})")
        return self
