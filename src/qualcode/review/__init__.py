"""People in the loop: their decisions on machine codes, which no machine run overwrites."""

from qualcode.review.decisions import (
    DECISIONS,
    HUMAN,
    apply_decisions,
    current_codings,
    latest_decisions,
    read_decisions,
)

__all__ = ["DECISIONS", "HUMAN", "apply_decisions", "current_codings", "latest_decisions", "read_decisions"]
