"""The status of a hypothesis, decided by a rule a team can read in its briefing and change in qualcode.yaml."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from qualcode.evidence.settings import Status, StatusRule
from qualcode.evidence.statements import voices

SIDES = ("support", "contradict")


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


def verdict(rows: pd.DataFrame, rule: StatusRule) -> tuple[Status, str]:
    """The status of one hypothesis and the reason for it, from its `hypothesis_evidence` rows.

    Only statements whose stance the machine is sure enough of (or a person decided) weigh. A supported or
    contradicted verdict must also survive without the `rule.swing` heaviest unreviewed statements it rests on;
    one that would not is 'needs review', never a verdict that one or two doubtful readings decide.
    """
    counted = rows[rows["side"].isin(SIDES) & (rows["weight"] > 0)]
    unsure = int((rows["side"] == "unsure").sum())
    status = decide_status(*weigh_sides(counted), rule)
    if status == "not yet tested":
        return status, (f"{unsure} statement(s) bear on it, but the machine is unsure of their stance"
                        if unsure else "no coded statement supports or contradicts it")
    if status == "emerging":
        return status, _why_emerging(counted, rule)
    if status == "contested":
        return status, _shares(counted)
    winning = "support" if status == "supported" else "contradict"
    deciders = counted[(counted["side"] == winning) & ~counted["reviewed"]].nlargest(rule.swing, "weight")
    without = decide_status(*weigh_sides(counted.drop(deciders.index)), rule)
    if rule.swing and without != status:
        return "needs review", (f"would be {status} ({_shares(counted)}), but without its {len(deciders)} "
                                f"heaviest unreviewed statement(s) it would be {without}: review them")
    return status, _shares(counted)


def unreviewed_share(rows: pd.DataFrame) -> float:
    """The share of a hypothesis's counted weight that rests on the machine's stance, not a person's."""
    counted = rows[rows["side"].isin(SIDES) & (rows["weight"] > 0)]
    total = float(counted["weight"].sum())
    return float(counted.loc[~counted["reviewed"], "weight"].sum()) / total if total else 0.0


def weigh_sides(counted: pd.DataFrame) -> tuple[Side, Side]:
    """(support, contradict): the weight and voices of the counted evidence rows on each side."""
    def side(name: str) -> Side:
        rows = counted[counted["side"] == name]
        return Side(weight=float(rows["weight"].sum()), statements=len(rows), roles=voices(rows["role"]),
                    agencies=voices(rows["agency"]), source_types=voices(rows["source_type"]))

    return side("support"), side("contradict")


def _shares(counted: pd.DataFrame) -> str:
    weights = counted.groupby("side")["weight"].sum()
    total = float(weights.sum()) or 1.0
    return (f"{weights.get('support', 0.0) / total:.0%} of the weight supports, "
            f"{weights.get('contradict', 0.0) / total:.0%} contradicts")


def _why_emerging(counted: pd.DataFrame, rule: StatusRule) -> str:
    if len(counted) < rule.min_statements:
        return f"{len(counted)} statement(s) with a clear stance; {rule.min_statements} needed"
    return (f"neither side is yet heard from {rule.min_roles} roles and {rule.min_agencies} agencies "
            f"({_shares(counted)})")


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
        f"Needs review: supported or contradicted, but not without its {rule.swing} heaviest unreviewed "
        "statements; a person should check them first.",
        f"A statement counts only when the machine is at least {rule.min_stance_confidence:.0%} sure of its stance "
        "(or a person decided it), weighted by how sure it is of the code and of the stance.",
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
