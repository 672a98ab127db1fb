"""The status of a hypothesis, decided by a rule a team can read in its briefing and change in qualcode.yaml."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.evidence.settings import Status, StatusRule


def decide_status(support: Side, contradict: Side, rule: StatusRule) -> Status:
    """Apply `rule` to the weighed evidence on each side (see `describe_rule` for the words)."""
    if support.statements + contradict.statements == 0:
        return "not yet tested"
    if support.statements + contradict.statements < rule.min_statements or not (
            support.triangulated(rule) or contradict.triangulated(rule)):
        return "emerging"
    total = support.weight + contradict.weight
    if support.weight >= rule.majority * total and support.triangulated(rule):
        return "supported"
    if contradict.weight >= rule.majority * total and contradict.triangulated(rule):
        return "contradicted"
    return "contested"


def describe_rule(rule: StatusRule) -> list[str]:
    """The rule in plain words, in the order it is applied; printed in every briefing."""
    share = f"{rule.majority:.0%}"
    voices = f"at least {rule.min_roles} distinct roles and {rule.min_agencies} distinct agencies"
    return [
        "Not yet tested: no coded statement supports or contradicts it.",
        f"Emerging: fewer than {rule.min_statements} statements either way, or neither side is triangulated "
        f"({voices}).",
        f"Supported: the supporting side holds at least {share} of the confidence-weighted evidence and is "
        "triangulated.",
        f"Contradicted: the contradicting side holds at least {share} of the weight and is triangulated.",
        "Contested: enough evidence, but neither side has a triangulated majority.",
    ]


@dataclass(frozen=True)
class Side:
    """The statements on one side of a hypothesis: their summed confidence and the voices behind them."""

    weight: float
    statements: int
    roles: frozenset[str]
    agencies: frozenset[str]
    source_types: frozenset[str]

    def triangulated(self, rule: StatusRule) -> bool:
        return len(self.roles) >= rule.min_roles and len(self.agencies) >= rule.min_agencies
