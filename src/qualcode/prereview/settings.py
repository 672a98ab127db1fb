"""How documents and performance data are set beside the voices (`prereview:` in qualcode.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PreReviewConfig(BaseModel):
    """The council's documents and performance data, set beside what people say."""

    model_config = ConfigDict(extra="forbid")

    outlier: float = Field(0.2, gt=0.0, le=5.0, description="an indicator this far (a share of the comparator's "
                           "figure) worse than every comparator is flagged")
    indicator_codes: dict[str, str] = Field(default_factory=dict, description="indicator name -> code id, where "
                                            "the words of its name map it wrongly")
