"""briefing.html: the page the review team reads each morning. One file, no scripts, nothing fetched."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING, Any

import jinja2
import pandas as pd

from qualcode.evidence.analysis import Analysis
from qualcode.evidence.delta import Delta
from qualcode.evidence.matrix import matrix_counts
from qualcode.evidence.settings import Case, StatusRule
from qualcode.evidence.statements import voice_key, voices
from qualcode.evidence.status import describe_rule

if TYPE_CHECKING:
    from qualcode.prereview.summary import PreReview
    from qualcode.themes.tracking import NightlyThemes

_ENV = jinja2.Environment(loader=jinja2.FunctionLoader(
    lambda name: files("qualcode.reports").joinpath("templates", name).read_text(encoding="utf-8")),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_briefing(analysis: Analysis, delta: Delta, *, previous: str | None, labels: dict[str, str], case: Case,
                    rule: StatusRule, expected_agencies: list[str], about: dict[str, str],
                    themes: NightlyThemes | None = None, prereview: PreReview | None = None) -> str:
    """The briefing as HTML. Quotes carry the speaker's role only; their source and offsets sit in data-
    attributes so a test (or a curious analyst) can trace each back to the store."""
    codes = list(labels)
    heard = voices(analysis.spoken["agency"])
    grid = matrix_counts(analysis.matrices[case], codes) if case in analysis.matrices else pd.DataFrame()
    top = int(grid.to_numpy().max()) if grid.size else 0
    quotes: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for row in analysis.hypothesis_quotes.itertuples(index=False):
        quotes.setdefault(str(row.hypothesis_id), {}).setdefault(str(row.side), []).append(row._asdict())
    return _ENV.get_template("briefing.html.j2").render(
        about=about, as_of=analysis.as_of.isoformat(), previous=previous,
        statements=len(analysis.spoken), sources=analysis.spoken["source_id"].nunique(),
        coded=analysis.statements["segment_id"].nunique(),
        hypotheses=analysis.summary.to_dict("records"), quotes=quotes,
        review=analysis.review_list.to_dict("records"),
        changes=delta.hypotheses.to_dict("records"), new_voices=delta.voices.to_dict("records"),
        code_changes=delta.codes.to_dict("records"),
        missing=[a for a in expected_agencies if voice_key(a) not in heard], case=case, codes=codes, labels=labels,
        grid=[(str(label), [(int(v), _heat(int(v), top)) for v in values])
              for label, values in zip(grid.index, grid.to_numpy(), strict=True)],
        rule=describe_rule(rule), themes=_themes(themes) if themes is not None else None,
        prereview=prereview.records() if prereview is not None and not prereview.empty else None)


ALL_AGENCIES = "all agencies"
LOW_COVERAGE = 0.1  # a cell this far or further below the day's share across all agencies is marked


def _themes(themes: NightlyThemes) -> dict[str, Any]:
    """Tonight's emerging themes and the framework's coverage, as the template shows them."""
    rows: dict[str, list[dict[str, Any]]] = {"outside": [], "near": [], "loose": []}
    if themes.tracked is not None:
        quotes = themes.tracked.quotes
        for row in themes.tracked.themes.itertuples(index=False):
            said = {"new": "new tonight", "growing": f"growing: {row.new_statements} new statement(s)",
                    "steady": "unchanged since yesterday"}[row.status]
            rows[row.place].append({**row._asdict(), "said": said,
                                    "quotes": quotes[quotes["theme_id"] == row.theme_id].to_dict("records")})
    coverage = themes.coverage
    days = sorted(set(coverage["day"]))
    totals = coverage.groupby("day")[["statements", "held"]].sum()
    overall = (totals["held"] / totals["statements"]).to_dict()
    cells = {(r.agency, r.day): {"percent": round(100 * r.share), "statements": int(r.statements),
                                 "low": r.share <= overall[r.day] - LOW_COVERAGE}
             for r in coverage.itertuples(index=False)}
    cells |= {(ALL_AGENCIES, day): {"percent": round(100 * overall[day]), "statements": int(totals.loc[day,
              "statements"]), "low": False} for day in days}
    return {"low_confidence": themes.low_confidence, "outside": themes.outside, "sampled": themes.sampled,
            "left_out": themes.left_out,
            "too_few": themes.too_few, "rows": rows["outside"], "near": rows["near"], "loose": rows["loose"],
            "days": days,
            "faded": themes.tracked.faded.to_dict("records") if themes.tracked is not None else [],
            "coverage": [{"agency": a, "cells": [cells.get((a, d)) for d in days]}
                         for a in [*sorted(set(coverage["agency"])), ALL_AGENCIES]]}


def _heat(value: int, top: int) -> str:
    """A white-to-red background for a heat-map cell (inline, so the page needs no stylesheet from outside)."""
    share = value / top if top else 0.0
    red, green_blue = round(255 - share * (255 - 248)), round(255 - share * (255 - 105))
    return f"background-color: rgb({red}, {green_blue}, {green_blue})"
