"""Proposed hypotheses: drafted from the documents' own stated weaknesses and the data's outliers, for the team to
accept into hypotheses.yaml.

A stated weakness is a document statement that says so in the council's own words ("we recognise", "we need to",
"an area for development", "remains too high": `qualcode.prereview.stated`): a sentence the model merely reads as
negative is not enough. Each such statement (up to `MAX_STATED`, most confidently coded first) becomes one proposal,
and each indicator worse than its comparators another. A proposal that an existing hypothesis already tests (same
code, its keywords said) is kept and marked, so the team sees it was seen.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import yaml

from qualcode.codebook.model import Codebook
from qualcode.evidence.hypotheses import HypothesisSet, leaf_codes
from qualcode.prereview.claims import cite
from qualcode.prereview.indicators import WORSE, describe
from qualcode.themes.filters import keyword_stop_words, keyword_tokens

PROPOSAL_COLUMNS = ["proposal_id", "basis", "statement", "codes", "supported_by", "keywords", "evidence",
                    "tested_by"]
_LEAD = re.compile(r"(?i)^(?:however,?\s*|but\s+)?(?:we (?:recognise|recognize|acknowledge|accept|know|are aware) "
                   r"that\s+|an? areas? (?:for|of) (?:development|improvement) (?:is|remains)\s+)")
# a stated weakness's own preamble, and words of measurement: no keyword of the claim
_PREAMBLE = frozenset({"recognise", "recognize", "need", "remain", "council", "area", "development", "improvement",
                       "consistently", "percentage", "rate", "number", "proportion", "still", "further"})
KEYWORDS = 5
MAX_STATED = 10


def keywords_of(text: str, count: int = KEYWORDS) -> list[str]:
    """The distinctive words of a sentence or an indicator's name, in order, for a hypothesis's `keywords`: the
    words themes draw keywords from (`keyword_tokens`), four letters or more."""
    found: list[str] = []
    for word in keyword_tokens(text, keyword_stop_words()):
        if len(word) > 3 and word not in _PREAMBLE and word not in found:
            found.append(word)
    return found[:count]


def propose_hypotheses(documents: pd.DataFrame, indicators: pd.DataFrame, hypotheses: HypothesisSet,
                       codebook: Codebook) -> pd.DataFrame:
    """Candidate hypotheses (`PROPOSAL_COLUMNS`), stated weaknesses first, then outliers.

    Args:
        documents: the documents' coded statements as they state themselves (`as_stated`).
        indicators: `assess_indicators` rows.
    """
    rows: list[dict[str, Any]] = []
    weak = documents[documents["stated"] & (documents["valence"] == "area_for_improvement")]
    weak = weak.sort_values("confidence", ascending=False, kind="stable").drop_duplicates("segment_id")
    for _, top in weak.head(MAX_STATED).iterrows():
        text = " ".join(str(top["text"]).split())
        rows.append({"basis": f"document: {top['role']}", "statement": _claim(text), "codes": [str(top["code_id"])],
                     "keywords": keywords_of(_claim(text)),
                     "evidence": f"\u201c{text}\u201d \u2014 "
                                 f"{cite(top['role'], top.get('page'), top.get('section'))}",
                     "match": text})
    for _, row in indicators[indicators["flag"] == WORSE].iterrows():
        if not row["code_id"]:
            continue  # an outlier on no line of enquiry: map it (prereview.indicator_codes) to propose it
        rows.append({"basis": "data", "statement": f"{row['indicator']} is worse than its comparators"
                     f"{' and ' + row['trend'] if row['trend'] == 'worsening' else ''}.",
                     "codes": [row["code_id"]], "keywords": keywords_of(str(row["indicator"])),
                     "evidence": describe(row), "match": str(row["indicator"])})
    for number, row in enumerate(rows, start=1):
        row["proposal_id"] = f"P{number}"
        row["supported_by"] = "area_for_improvement"
        row["tested_by"] = ", ".join(_tested_by(row["codes"][0], row.pop("match"), hypotheses, codebook))
    return pd.DataFrame(rows, columns=PROPOSAL_COLUMNS)


def _claim(text: str) -> str:
    """A stated weakness as a claim to test: the council's own sentence without its preamble."""
    claim = _LEAD.sub("", text).strip()
    return claim[:1].upper() + claim[1:] if claim else text


def _tested_by(code_id: str, text: str, hypotheses: HypothesisSet, codebook: Codebook) -> list[str]:
    found = []
    for hypothesis in hypotheses.hypotheses:
        pattern = hypothesis.keyword_pattern()
        if code_id in leaf_codes(hypothesis, codebook) and (pattern is None or pattern.search(text)):
            found.append(hypothesis.id)
    return found


def proposals_yaml(proposals: pd.DataFrame) -> str:
    """The proposals as entries to edit into the `hypotheses:` list of hypotheses.yaml (ids `H-P1`, ...)."""
    entries = [{"id": f"H-{row.proposal_id}", "statement": row.statement, "codes": list(row.codes),
                "supported_by": row.supported_by, "keywords": list(row.keywords),
                "notes": f"Proposed from {row.basis}: {row.evidence}"[:400]}
               for row in proposals.itertuples(index=False)]
    header = ("# Proposed from the documents' stated weaknesses and the data's outliers: edit, then add the ones "
              "the team accepts under `hypotheses:`.\n")
    return header + (yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=110) if entries else "")
