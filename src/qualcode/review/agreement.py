"""Who agrees with whom: the machine against each person, and each person against each other.

A person's coding of a statement they decided is what the machine assigned it, less what they rejected, plus what
they accepted or added (so a reviewer who only accepts agrees with the machine). Two people who code the same
statements blind, each under their own name, are compared on the statements both decided.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd

from qualcode.evaluation import OVERALL, compare
from qualcode.review.decisions import latest_decisions

MACHINE = "machine"
PAIR_COLUMNS = ["first", "second", "statements", "kappa", "alpha", "macro_f1"]
DISAGREEMENT_COLUMNS = ["segment_id", "code_id", "first", "second", "first_has", "second_has"]


def coders_codings(codings: pd.DataFrame, decisions: pd.DataFrame) -> dict[str, dict[str, frozenset[str]]]:
    """Each coder's codes on each statement they coded: the machine's on every statement it coded, each person's on
    the statements they decided (`Store.codings()` of one digest and `Store.decisions()` of one codebook)."""
    assigned = codings[codings["assigned"].astype(bool)]
    machine: dict[str, frozenset[str]] = {str(s): frozenset() for s in codings["segment_id"]}
    for statement, group in assigned.groupby("segment_id"):
        machine[str(statement)] = frozenset(group["code_id"].astype(str))
    coders: dict[str, dict[str, frozenset[str]]] = {MACHINE: machine}
    for coder, theirs in decisions.groupby("coder"):
        mine: dict[str, frozenset[str]] = {}
        for statement, group in latest_decisions(theirs).groupby("segment_id"):
            rejected = set(group.loc[group["decision"] == "reject", "code_id"])
            kept = set(group.loc[group["decision"] != "reject", "code_id"])
            mine[str(statement)] = frozenset((machine.get(str(statement), frozenset()) - rejected) | kept)
        coders[str(coder)] = mine
    return coders


def _long(coding: dict[str, frozenset[str]], statements: list[str]) -> pd.DataFrame:
    rows = [(s, c) for s in statements for c in sorted(coding[s]) or [""]]
    return pd.DataFrame(rows, columns=["segment_id", "code_id"])


def pair_agreement(coders: dict[str, dict[str, frozenset[str]]], first: str, second: str,
                   codes: list[str]) -> pd.DataFrame:
    """Per code and overall (`qualcode.evaluation.agreement_table`), on the statements both coded."""
    shared = sorted(set(coders[first]) & set(coders[second]))
    return compare(_long(coders[first], shared), _long(coders[second], shared), codes)


def agreement_pairs(coders: dict[str, dict[str, frozenset[str]]], codes: list[str]) -> pd.DataFrame:
    """One row per pair of coders who share statements: the machine with each person, then people with each
    other (`PAIR_COLUMNS`; kappa and alpha are means over the codes present)."""
    people = sorted(c for c in coders if c != MACHINE)
    rows = []
    for first, second in [(MACHINE, p) for p in people] + list(combinations(people, 2)):
        shared = set(coders[first]) & set(coders[second])
        if not shared:
            continue
        overall = pair_agreement(coders, first, second, codes).set_index("code_id").loc[OVERALL]
        rows.append({"first": first, "second": second, "statements": len(shared), "kappa": overall["kappa"],
                     "alpha": overall["alpha"], "macro_f1": overall["macro_f1"]})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def disagreements(coders: dict[str, dict[str, frozenset[str]]], first: str, second: str) -> pd.DataFrame:
    """Each (statement, code) that one of the two gives and the other does not, to discuss."""
    rows = []
    for statement in sorted(set(coders[first]) & set(coders[second])):
        a, b = coders[first][statement], coders[second][statement]
        rows += [(statement, code, first, second, code in a, code in b) for code in sorted(a ^ b)]
    return pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)


def review_agreement(codings: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """Agreement of the machine with the team (the decision that counts on each statement, whoever made it) on the
    statements they reviewed: per code and overall."""
    team = latest_decisions(decisions).assign(coder="team")
    coders = coders_codings(codings, team)
    if "team" not in coders:
        return compare(pd.DataFrame(columns=["segment_id", "code_id"]), pd.DataFrame(columns=["segment_id", "code_id"]))
    shared = sorted(coders["team"])
    codes = sorted({c for s in shared for c in coders["team"][s] | coders[MACHINE].get(s, frozenset())})
    return compare(_long(coders["team"], shared), _long({s: coders[MACHINE].get(s, frozenset()) for s in shared},
                                                        shared), codes)
