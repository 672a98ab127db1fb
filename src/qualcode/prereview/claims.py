"""Claims against voices: for each hypothesis, what the documents claim, what the data shows and what people say,
side by side, and where the documents say one thing and the week's voices the other.

A document's statement bears on a hypothesis by the same rule as anyone's (a code of the hypothesis, and one of its
keywords if it has any), and its valence puts it for or against. The documents are not voices: they are never
weighed into a verdict, they are set beside it. An indicator bears on a hypothesis when its line of enquiry is one
of the hypothesis's codes (and its name says one of the keywords, if any); an outlier worse than its comparators is
for a hypothesis of weakness, one better is against.
"""

from __future__ import annotations

import pandas as pd

from qualcode.codebook.model import Codebook
from qualcode.evidence.hypotheses import Hypothesis, HypothesisSet, leaf_codes
from qualcode.evidence.status import SIDES
from qualcode.prereview.indicators import BETTER, WORSE, describe

# A document's claim: its words, the document it is in (its role: "self-evaluation") and where (page and section),
# and its source and offsets, so it is traced to the store as any quote is.
CLAIM_COLUMNS = ["document_claim", "document", "document_place", "document_cite", "document_source", "document_start",
                 "document_end"]
SIDE_BY_SIDE_COLUMNS = ["hypothesis_id", "statement", "status", "voices_for", "voices_against", "voices_lean",
                        "documents_for", "documents_against", "documents_lean", *CLAIM_COLUMNS, "data_lean", "data"]
CONTRADICTION_COLUMNS = ["hypothesis_id", "statement", "documents_lean", *CLAIM_COLUMNS, "voices_lean", "voices_for",
                         "voices_against", "voice_quote", "voice_role", "voice_source", "voice_start", "voice_end"]
LEAN = 1.5  # a document leans one way when its claims that way weigh this many times the others
# The voices lean the way their verdict goes (the status rule's majority, triangulation and doubt), never by a rule of
# their own: a hypothesis the briefing calls contested or emerging is not set against a document.
VERDICT_LEAN = {"supported": "for", "contradicted": "against"}
FOR, AGAINST = "for", "against"


def place(page: object, section: object) -> str:
    """Where in a document a quote is: `p.3 §"Early help"` (Word has no pages: the section alone)."""
    parts = []
    if page is not None and not pd.isna(page):
        parts.append(f"p.{int(page)}")  # type: ignore[call-overload]
    if isinstance(section, str) and section.strip():
        parts.append(f"\u00a7\u201c{section.strip()}\u201d")
    return " ".join(parts)


def cite(document: object, page: object, section: object) -> str:
    """A document's quote as a reader finds it again: `self-evaluation p.3 §"Early help"`."""
    return " ".join(part for part in (str(document), place(page, section)) if part)


def lean(evidence: pd.DataFrame) -> str:
    """Which way a document's weighed claims lean: 'for', 'against', 'mixed', or '' when there are none. One
    statement leans a document (it says what it says), as long as the other side weighs under 1/1.5 of it."""
    weighed = evidence[evidence["side"].isin(SIDES) & (evidence["weight"] > 0)]
    if weighed.empty:
        return ""
    weights = weighed.groupby("side")["weight"].sum()
    counts = weighed.groupby("side").size()
    support, contradict = float(weights.get("support", 0.0)), float(weights.get("contradict", 0.0))
    if support >= LEAN * contradict and counts.get("support", 0):
        return FOR
    if contradict >= LEAN * support and counts.get("contradict", 0):
        return AGAINST
    return "mixed"


def indicators_for(hypothesis: Hypothesis, codebook: Codebook, indicators: pd.DataFrame) -> pd.DataFrame:
    """The assessed indicators that bear on one hypothesis."""
    rows = indicators[indicators["code_id"].isin(leaf_codes(hypothesis, codebook))]
    pattern = hypothesis.keyword_pattern()
    if pattern is not None:
        rows = rows[rows["indicator"].astype(str).str.contains(pattern, regex=True)]
    return rows


def data_lean(rows: pd.DataFrame, supported_by: str) -> str:
    weakness = supported_by == "area_for_improvement"
    flags = set(rows["flag"])
    if WORSE in flags and BETTER not in flags:
        return FOR if weakness else AGAINST
    if BETTER in flags and WORSE not in flags:
        return AGAINST if weakness else FOR
    return "mixed" if WORSE in flags else ""


def side_by_side(summary: pd.DataFrame, evidence: pd.DataFrame, claims: pd.DataFrame, documents: pd.DataFrame,
                 indicators: pd.DataFrame, hypotheses: HypothesisSet, codebook: Codebook) -> pd.DataFrame:
    """One row per hypothesis: the voices' verdict and counts, the documents' claims, the data's indicators.

    Args:
        summary, evidence: the voices' `hypothesis_summary` and `hypothesis_evidence`.
        claims: `hypothesis_evidence` of the documents' statements; documents: those statements (with page and
            section); indicators: `assess_indicators` rows.
    """
    places = documents.drop_duplicates("segment_id").set_index("segment_id")
    rows = []
    for hypothesis in hypotheses.hypotheses:
        said = summary[summary["hypothesis_id"] == hypothesis.id]
        mine = claims[claims["hypothesis_id"] == hypothesis.id]
        voices = evidence[evidence["hypothesis_id"] == hypothesis.id]
        documents_lean = lean(mine)
        claim = _best_claim(mine, documents_lean, places)
        bearing = indicators_for(hypothesis, codebook, indicators)
        rows.append({
            "hypothesis_id": hypothesis.id, "statement": hypothesis.statement,
            "status": str(said["status"].iloc[0]) if len(said) else "",
            "voices_for": int((voices["side"] == "support").sum()),
            "voices_against": int((voices["side"] == "contradict").sum()),
            "voices_lean": VERDICT_LEAN.get(str(said["status"].iloc[0]) if len(said) else "", ""),
            "documents_for": int((mine["side"] == "support").sum()),
            "documents_against": int((mine["side"] == "contradict").sum()), "documents_lean": documents_lean,
            **claim, "data_lean": data_lean(bearing, hypothesis.supported_by),
            "data": " | ".join(describe(r) + (f" [{r['flag']}]" if r["flag"] else "")
                               for _, r in bearing.iterrows())})
    return pd.DataFrame(rows, columns=SIDE_BY_SIDE_COLUMNS)


def documents_vs_voices(table: pd.DataFrame, evidence: pd.DataFrame, claims: pd.DataFrame,
                        documents: pd.DataFrame) -> pd.DataFrame:
    """Where a document leans one way on a hypothesis and the week's voices the other (the self-evaluation says
    supervision is reflective; the social workers say it is not): that document's strongest claim, and the voices'
    strongest statement against it. Each document is taken on its own, so the minutes agreeing with the voices do
    not hide the self-evaluation contradicting them."""
    places = documents.drop_duplicates("segment_id").set_index("segment_id")
    rows = []
    for row in table.itertuples(index=False):
        if row.voices_lean not in (FOR, AGAINST):
            continue
        wanted = "support" if row.voices_lean == FOR else "contradict"
        heard = evidence[(evidence["hypothesis_id"] == row.hypothesis_id) & (evidence["side"] == wanted)]
        top = heard.sort_values("weight", ascending=False, kind="stable").iloc[0]
        mine = claims[claims["hypothesis_id"] == row.hypothesis_id]
        for _, written in mine.groupby("source_id", sort=True):
            leaning = lean(written)
            if {leaning, row.voices_lean} != {FOR, AGAINST}:
                continue
            rows.append({"hypothesis_id": row.hypothesis_id, "statement": row.statement, "documents_lean": leaning,
                         **_best_claim(written, leaning, places), "voices_lean": row.voices_lean,
                         "voices_for": row.voices_for,
                         "voices_against": row.voices_against, "voice_quote": top["text"], "voice_role": top["role"],
                         "voice_source": top["source_id"], "voice_start": int(top["start"]),
                         "voice_end": int(top["end"])})
    return pd.DataFrame(rows, columns=CONTRADICTION_COLUMNS)


def _best(claims: pd.DataFrame, leaning: str) -> pd.DataFrame:
    side = {FOR: ["support"], AGAINST: ["contradict"]}.get(leaning, ["support", "contradict"])
    return claims[claims["side"].isin(side)].sort_values("weight", ascending=False, kind="stable")


def _best_claim(claims: pd.DataFrame, leaning: str, places: pd.DataFrame) -> dict[str, object]:
    """The `CLAIM_COLUMNS` of the heaviest claim on the side the documents lean (empty when none)."""
    best = _best(claims, leaning)
    if best.empty:
        return dict.fromkeys(CLAIM_COLUMNS, "") | {"document_start": -1, "document_end": -1}
    top = best.iloc[0]
    where = places.loc[top["segment_id"]]
    return {"document_claim": str(top["text"]), "document": str(top["role"]),
            "document_place": place(where.get("page"), where.get("section")),
            "document_cite": cite(top["role"], where.get("page"), where.get("section")),
            "document_source": str(top["source_id"]), "document_start": int(top["start"]),
            "document_end": int(top["end"])}
