"""What each workbench screen shows, as plain records built from the service layer's tables (no I/O here)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.codebook.colours import code_colours
from qualcode.codebook.model import Codebook
from qualcode.evidence.analysis import Analysis
from qualcode.evidence.hypotheses import HypothesisSet
from qualcode.evidence.matrix import CASE_COLUMN, matrix_counts
from qualcode.evidence.settings import Case
from qualcode.review.agreement import MACHINE, agreement_pairs, coders_codings, disagreements, pair_agreement

if TYPE_CHECKING:
    from qualcode.prereview.summary import PreReview
    from qualcode.workspace.emerging import EmergingThemes

Record = dict[str, Any]
OPPOSITE = {"strength": "area_for_improvement", "area_for_improvement": "strength"}


def code_colour(code_id: str, codebook: Codebook) -> str:
    """The code's colour (`qualcode.codebook.colours`, as exports carry it); grey for a code no longer in it."""
    return code_colours(codebook).get(code_id, "#999999")


def codes(codebook: Codebook) -> list[Record]:
    """The codes a person can give, numbered from 1 (the number a key or the code box takes)."""
    return [{"number": n, "id": c.id, "label": c.label, "definition": c.definition,
             "colour": code_colour(c.id, codebook), "include": c.include, "exclude": c.exclude, "examples": c.examples,
             "counter_examples": c.counter_examples, "keywords": c.keywords}
            for n, c in enumerate(codebook.leaves, start=1)]


def _answers(segments: pd.DataFrame) -> dict[tuple[str, int], pd.DataFrame]:
    return {(str(s), int(t)): g.sort_values("index") for (s, t), g in segments.groupby(["source_id", "turn_index"])}


def review_items(analysis: Analysis, segments: pd.DataFrame, hypotheses: HypothesisSet, codebook: Codebook
                 ) -> list[Record]:
    """Tonight's review: the evening's review list (most decision-changing first, per hypothesis), each quote in its
    answer and after its question, with the machine's code, stance and confidence."""
    listed = analysis.review_list
    if listed.empty:
        return []
    claims = {h.id: h for h in hypotheses.hypotheses}
    labels = {c.id: c.label for c in codebook.leaves}
    located = segments.set_index("segment_id")
    turns = set(zip(located.loc[listed["segment_id"], "source_id"], located.loc[listed["segment_id"], "turn_index"],
                    strict=True))
    keys = pd.Series(list(zip(segments["source_id"], segments["turn_index"], strict=True)), index=segments.index)
    answers = _answers(segments[keys.isin(turns)])
    items = []
    for row in listed.itertuples(index=False):
        here = located.loc[row.segment_id]
        answer = answers.get((str(here["source_id"]), int(here["turn_index"])), pd.DataFrame())
        claim = claims.get(str(row.hypothesis_id))
        items.append({
            "segment_id": row.segment_id, "hypothesis_id": row.hypothesis_id,
            "hypothesis": claim.statement if claim else "", "side": row.side, "code_id": row.code_id,
            "code_label": labels.get(row.code_id, row.code_id), "colour": code_colour(row.code_id, codebook),
            "confidence": float(row.confidence), "stance_confidence": float(row.stance_confidence),
            "valence": row.valence, "supports": claim.supported_by if claim else "strength",
            "contradicts": claim.contradicted_by if claim else "area_for_improvement",
            "text": row.text, "question": here["question"] or "", "speaker": here["speaker"] or "",
            "role": row.role, "agency": row.agency, "source_id": row.source_id, "date": row.date,
            "answer": [{"text": t, "current": s == row.segment_id}
                       for s, t in zip(answer.get("segment_id", []), answer.get("text", []), strict=True)],
        })
    return items


def source_list(sources: pd.DataFrame, decisions: pd.DataFrame, segments: pd.DataFrame) -> list[Record]:
    decided = segments[segments["segment_id"].isin(set(decisions["segment_id"]))].groupby("source_id").size()
    return [{"source_id": r.source_id, "role": r.role, "agency": r.agency, "source_type": r.source_type,
             "date": r.date or "", "statements": int(r.segments), "decided": int(decided.get(r.source_id, 0))}
            for r in sources.sort_values(["date", "source_id"], na_position="last").itertuples(index=False)]


def reader(text: str, segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook) -> list[Record]:
    """A source as runs of text: the statements (with their codes as coloured margins) and the text between them,
    in order, so the page holds the source's text exactly and a selection's offsets are the store's."""
    labels = {c.id: c.label for c in codebook.leaves}
    held = codings[codings["assigned"].astype(bool)]
    by_statement = {s: g.sort_values("confidence", ascending=False) for s, g in held.groupby("segment_id")}
    runs: list[Record] = []
    at = 0
    for row in segments.sort_values("start").itertuples(index=False):
        start, end = int(row.start), int(row.end)
        if start > at:
            runs.append({"kind": "gap", "start": at, "end": start, "text": text[at:start]})
        given = by_statement.get(row.segment_id, pd.DataFrame(columns=["code_id", "confidence", "method"]))
        runs.append({"kind": "statement", "segment_id": row.segment_id, "start": start, "end": end,
                     "text": text[start:end], "speaker": row.speaker or "", "role": row.role,
                     "codes": [{"id": c, "label": labels.get(c, c), "colour": code_colour(c, codebook),
                                "confidence": float(p), "human": m == "human"}
                               for c, p, m in zip(given["code_id"], given["confidence"], given["method"],
                                                  strict=True)],
                     "valence": (given["valence"].dropna().iloc[0] if "valence" in given and
                                 given["valence"].notna().any() else None)})
        at = max(at, end)
    if at < len(text):
        runs.append({"kind": "gap", "start": at, "end": len(text), "text": text[at:]})
    return runs


def hypothesis_cards(analysis: Analysis) -> list[Record]:
    quotes = analysis.hypothesis_quotes
    cards = []
    for row in analysis.summary.itertuples(index=False):
        mine = quotes[quotes["hypothesis_id"] == row.hypothesis_id] if not quotes.empty else quotes
        cards.append({**row._asdict(), "quotes": {side: mine[mine["side"] == side].to_dict("records")
                                                  for side in ("support", "contradict")}})
    return cards


def heat_map(analysis: Analysis, case: Case, codebook: Codebook) -> dict[str, Any]:
    matrix = analysis.matrices.get(case, pd.DataFrame())
    ids = [c.id for c in codebook.leaves]
    grid = matrix_counts(matrix, ids) if not matrix.empty else pd.DataFrame(columns=ids)
    peak = max(int(grid.to_numpy().max()) if grid.size else 0, 1)
    return {"codes": codes(codebook), "rows": [
        {"case": case_value, "cells": [{"code_id": c, "count": int(grid.loc[case_value, c]),
                                        "heat": round(int(grid.loc[case_value, c]) / peak, 3)} for c in ids]}
        for case_value in grid.index]}


def cell_quotes(analysis: Analysis, case: Case, value: str, code_id: str) -> list[Record]:
    statements = analysis.statements
    chosen = statements[(statements[CASE_COLUMN[case]].astype(str) == value) & (statements["code_id"] == code_id)]
    return list(chosen.to_dict("records"))


def agreement(machine: pd.DataFrame, decisions: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook,
              first: str | None, second: str | None) -> dict[str, Any]:
    """Agreement between each pair of coders, and for one pair (default: the first listed) per code and the
    statements they disagree on, with their text, to discuss."""
    ids = [c.id for c in codebook.leaves]
    coders = coders_codings(machine, decisions)
    pairs = agreement_pairs(coders, ids)
    chosen: dict[str, Any] = {"pairs": pairs.to_dict("records"), "people": sorted(set(coders) - {MACHINE})}
    if pairs.empty:
        return chosen
    if first not in coders or second not in coders or first == second:
        first, second = str(pairs.iloc[0]["first"]), str(pairs.iloc[0]["second"])
    per_code = pair_agreement(coders, first, second, ids)
    located = segments.set_index("segment_id")
    differ = disagreements(coders, first, second)
    differ = differ.assign(text=differ["segment_id"].map(located["text"]),
                           source_id=differ["segment_id"].map(located["source_id"]))
    labels = {c.id: c.label for c in codebook.leaves}
    per_code = per_code[(per_code["support"] > 0) | (per_code["predicted"] > 0)]
    return {**chosen, "first": first, "second": second,
            "per_code": per_code.assign(label=per_code["code_id"].map(labels)).to_dict("records"),
            "disagreements": differ.assign(label=differ["code_id"].map(labels)).to_dict("records")}


def theme_cards(found: EmergingThemes, drafts: Callable[[str], tuple[dict[str, Any], str]]) -> list[Record]:
    """The latest report's themes outside the framework, then those near it (the loose ones are not shown), each
    with its quotes and its drafts (a code, a hypothesis) from `drafts`."""
    shown = found.themes[found.themes["place"].isin(["outside", "near"])]
    cards = []
    for row in shown.to_dict("records"):
        code, hypothesis = drafts(str(row["theme_id"]))
        quotes = found.quotes[found.quotes["theme_id"] == row["theme_id"]]
        cards.append({**row, "quotes": quotes.to_dict("records"), "code": code, "hypothesis": hypothesis})
    return cards


def opposite(valence: str | None) -> str | None:
    """The stance flipped: a strength becomes an area for improvement and back; neutral has no opposite."""
    return OPPOSITE.get(valence or "")


def prereview_view(found: PreReview) -> Record:
    """The documents screen: documents, data and voices per hypothesis, where they disagree, the indicators and
    the proposed hypotheses."""
    return {**found.records(), "empty": found.empty}
