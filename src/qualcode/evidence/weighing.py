"""Weighing the evidence for each hypothesis: which statements support or contradict it, and who said them."""

from __future__ import annotations

import pandas as pd

from qualcode.codebook.model import Codebook
from qualcode.evidence.hypotheses import HypothesisSet, leaf_codes
from qualcode.evidence.quotes import best_quotes
from qualcode.evidence.settings import StatusRule
from qualcode.evidence.statements import voice_key, voices
from qualcode.evidence.status import Side, decide_status
from qualcode.schemas import HYPOTHESIS_EVIDENCE

EVIDENCE_COLUMNS = HYPOTHESIS_EVIDENCE.names
SUMMARY_COLUMNS = ["hypothesis_id", "statement", "status", "support_weight", "contradict_weight",
                   "support_statements", "contradict_statements", "neutral_statements", "support_roles",
                   "support_agencies", "support_source_types", "contradict_roles", "contradict_agencies",
                   "contradict_source_types", "voices_heard", "gaps"]
SIDES = ("support", "contradict")


def hypothesis_evidence(statements: pd.DataFrame, hypotheses: HypothesisSet, codebook: Codebook) -> pd.DataFrame:
    """The statements bearing on each hypothesis and the side each falls on.

    A statement bears on a hypothesis when it carries one of its codes and, if the hypothesis lists keywords,
    mentions one. Its valence decides the side: the hypothesis's `supported_by` valence supports, the opposite
    contradicts, neutral is kept but weighs nothing. A statement counts once, at its most confident code.

    Args:
        statements: `coded_statements` rows (highest confidence first).

    Returns:
        `EVIDENCE_COLUMNS`, highest confidence first within each hypothesis.
    """
    parts = []
    for hypothesis in hypotheses.hypotheses:
        rows = statements[statements["code_id"].isin(leaf_codes(hypothesis, codebook))]
        pattern = hypothesis.keyword_pattern()
        if pattern is not None:
            rows = rows[rows["text"].str.contains(pattern, regex=True)]
        rows = rows.drop_duplicates("segment_id")
        side = rows["valence"].map({hypothesis.supported_by: "support", hypothesis.contradicted_by: "contradict"})
        parts.append(rows.assign(hypothesis_id=hypothesis.id, side=side.fillna("neutral")))
    if not parts:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    return HYPOTHESIS_EVIDENCE.check(pd.concat(parts, ignore_index=True).reindex(columns=EVIDENCE_COLUMNS),
                                     "weighing the evidence")


def hypothesis_summary(evidence: pd.DataFrame, hypotheses: HypothesisSet, rule: StatusRule,
                       expected_agencies: list[str]) -> pd.DataFrame:
    """One row per hypothesis: weight and voices on each side, the status `rule` gives, and its gaps.

    Gaps are the voices a hypothesis needs (its `voices`, or else `expected_agencies`) that have said nothing
    on it yet, on either side.

    Args:
        evidence: `hypothesis_evidence` rows.
    """
    rows = []
    for hypothesis in hypotheses.hypotheses:
        mine = evidence[evidence["hypothesis_id"] == hypothesis.id]
        sides = {name: _side(mine[mine["side"] == name]) for name in SIDES}
        heard_roles, heard_agencies = voices(mine["role"]), voices(mine["agency"])
        needs = hypothesis.voices
        needed_agencies = needs.agencies if needs is not None else expected_agencies
        needed_roles = needs.roles if needs is not None else []
        gaps = [a for a in needed_agencies if voice_key(a) not in heard_agencies]
        gaps += [f"role: {r}" for r in needed_roles if voice_key(r) not in heard_roles]
        row: dict[str, object] = {"hypothesis_id": hypothesis.id, "statement": hypothesis.statement,
                                  "status": decide_status(sides["support"], sides["contradict"], rule),
                                  "neutral_statements": int((mine["side"] == "neutral").sum()),
                                  "voices_heard": "; ".join(sorted(heard_agencies)), "gaps": "; ".join(gaps)}
        for name, side in sides.items():
            row |= {f"{name}_weight": round(side.weight, 3), f"{name}_statements": side.statements,
                    f"{name}_roles": len(side.roles), f"{name}_agencies": len(side.agencies),
                    f"{name}_source_types": len(side.source_types)}
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def hypothesis_quotes(evidence: pd.DataFrame, count: int) -> pd.DataFrame:
    """The best quotes each way for each hypothesis (columns hypothesis_id, side and `QUOTE_COLUMNS`)."""
    weighed = evidence[evidence["side"].isin(SIDES)]
    return best_quotes(weighed, count, by=["hypothesis_id", "side"])


def _side(rows: pd.DataFrame) -> Side:
    return Side(weight=float(rows["confidence"].sum()), statements=len(rows), roles=voices(rows["role"]),
                agencies=voices(rows["agency"]), source_types=voices(rows["source_type"]))
