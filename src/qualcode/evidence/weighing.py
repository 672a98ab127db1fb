"""Weighing the evidence for each hypothesis: which statements support or contradict it, and who said them."""

from __future__ import annotations

import pandas as pd

from qualcode.codebook.model import Codebook
from qualcode.evidence.hypotheses import HypothesisSet, leaf_codes
from qualcode.evidence.quotes import best_quotes
from qualcode.evidence.settings import StatusRule
from qualcode.evidence.statements import voice_key, voices
from qualcode.evidence.status import SIDES, unreviewed_share, verdict, weigh_sides
from qualcode.review.decisions import HUMAN
from qualcode.schemas import HYPOTHESIS_EVIDENCE

EVIDENCE_COLUMNS = HYPOTHESIS_EVIDENCE.names
SUMMARY_COLUMNS = ["hypothesis_id", "statement", "status", "reason", "unreviewed_share", "support_weight",
                   "contradict_weight",
                   "support_statements", "contradict_statements", "neutral_statements", "support_roles",
                   "support_agencies", "support_source_types", "contradict_roles", "contradict_agencies",
                   "contradict_source_types", "unsure_statements", "voices_heard", "gaps"]


def hypothesis_evidence(statements: pd.DataFrame, hypotheses: HypothesisSet, codebook: Codebook,
                        rule: StatusRule | None = None) -> pd.DataFrame:
    """The statements bearing on each hypothesis, the side each falls on, and what it weighs.

    A statement bears on a hypothesis when it carries one of its codes and, if the hypothesis lists keywords,
    mentions one. Its valence decides the side: the hypothesis's `supported_by` valence supports, the opposite
    contradicts, neutral is kept but weighs nothing. A stance the machine is less sure of than
    `rule.min_stance_confidence` is 'unsure' and weighs nothing; otherwise a statement weighs its code confidence
    times its stance confidence (a person's decision is certain). A statement counts once, at its most confident
    code.

    Args:
        statements: `coded_statements` rows (highest confidence first).

    Returns:
        `EVIDENCE_COLUMNS`, highest confidence first within each hypothesis.
    """
    rule = rule or StatusRule()
    parts = []
    for hypothesis in hypotheses.hypotheses:
        rows = statements[statements["code_id"].isin(leaf_codes(hypothesis, codebook))]
        pattern = hypothesis.keyword_pattern()
        if pattern is not None:
            rows = rows[rows["text"].str.contains(pattern, regex=True)]
        rows = rows.drop_duplicates("segment_id")
        side = rows["valence"].map({hypothesis.supported_by: "support", hypothesis.contradicted_by: "contradict"})
        reviewed = rows["method"].eq(HUMAN) if "method" in rows else pd.Series(False, index=rows.index)
        # A table without confidences states its valences as facts; an empty confidence is a doubt.
        given = rows["valence_confidence"] if "valence_confidence" in rows else pd.Series(1.0, index=rows.index)
        sure = given.astype(float).fillna(0.0).where(~reviewed, 1.0)
        side = side.where(side.isna() | (sure >= rule.min_stance_confidence), "unsure").fillna("neutral")
        side = side.where(~rows["source_type"].isin(rule.team_notes), "team notes")
        weight = (rows["confidence"].astype(float) * sure).where(side.isin(SIDES), 0.0)
        parts.append(rows.assign(hypothesis_id=hypothesis.id, side=side, stance_confidence=sure.round(4),
                                 weight=weight.round(4), reviewed=reviewed.astype(bool)))
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
        sides = dict(zip(SIDES, weigh_sides(mine[mine["weight"] > 0]), strict=True))
        place = mine[mine["side"] != "team notes"]  # the team's own notes are not a voice of the place
        heard_roles, heard_agencies = voices(place["role"]), voices(place["agency"])
        needs = hypothesis.voices
        needed_agencies = needs.agencies if needs is not None else expected_agencies
        needed_roles = needs.roles if needs is not None else []
        gaps = [a for a in needed_agencies if voice_key(a) not in heard_agencies]
        status, reason = verdict(mine, rule)
        heard = 1 - len(gaps) / len(needed_agencies) if needed_agencies else 1.0
        if status in ("supported", "contradicted", "needs review") and heard < rule.min_voices_heard:
            status, reason = "emerging", (f"{reason}; but only {len(needed_agencies) - len(gaps)} of the "
                                          f"{len(needed_agencies)} agencies it needs have spoken on it")
        gaps += [f"role: {r}" for r in needed_roles if voice_key(r) not in heard_roles]
        row: dict[str, object] = {"hypothesis_id": hypothesis.id, "statement": hypothesis.statement,
                                  "status": status, "reason": reason,
                                  "unreviewed_share": round(unreviewed_share(mine), 3),
                                  "neutral_statements": int((mine["side"] == "neutral").sum()),
                                  "unsure_statements": int((mine["side"] == "unsure").sum()),
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


def review_list(evidence: pd.DataFrame, summary: pd.DataFrame, count: int) -> pd.DataFrame:
    """The evening's review list: for each hypothesis, the `count` unreviewed statements whose review would most
    change its verdict. Those on the side a verdict rests on come first (a contested one rests on both), heaviest
    first; then those on the other side, so a reviewer with time left checks both sides, not only the one that
    wins (correcting one side alone can tip a verdict the wrong way); then those the machine was unsure of, most
    likely to be about the hypothesis first."""
    rows = []
    for hypothesis_id, status in zip(summary["hypothesis_id"], summary["status"], strict=True):
        every = evidence[evidence["hypothesis_id"] == hypothesis_id]
        weights = every[every["side"].isin(SIDES)].groupby("side")["weight"].sum()
        # a verdict needing review rests on the side that would win it
        resting = ([str(weights.idxmax())] if status in ("supported", "contradicted", "needs review")
                   and len(weights) else list(SIDES))
        mine = every[~every["reviewed"].astype(bool)]
        counted = mine[mine["side"].isin(SIDES) & (mine["weight"] > 0)]
        first = counted[counted["side"].isin(resting)].sort_values("weight", ascending=False)
        other = counted[~counted["side"].isin(resting)].sort_values("weight", ascending=False)
        then = mine[mine["side"] == "unsure"].sort_values("confidence", ascending=False)
        rows.append(pd.concat([first, other, then]).head(count))
    if not rows:
        return evidence.iloc[0:0]
    return pd.concat(rows, ignore_index=True)

