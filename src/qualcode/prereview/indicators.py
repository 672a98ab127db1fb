"""What the performance data shows: each indicator's line of enquiry, its trend, and how far it sits from its
comparators, with the outliers flagged.

An indicator is mapped to the code the table names (a `line of enquiry` column), else the one the project's settings
name (`prereview.indicator_codes`), else the code whose words its name shares most (keywords count double). It is an
outlier when it is worse than every comparator it has, by `outlier` or more of the comparator's figure (better than
every one by as much is flagged too: a strength the documents may claim).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from qualcode.codebook.model import Codebook
from qualcode.ingest.indicators import OWN_SERIES, period_key
from qualcode.themes.filters import keyword_stop_words, keyword_tokens

ASSESSMENT_COLUMNS = ["indicator", "code_id", "mapped_by", "unit", "better", "period", "value", "previous_period",
                      "previous", "trend", "comparators", "gap", "flag"]
WORSE, BETTER = "worse than comparators", "better than comparators"
STEADY = 0.02  # a change of less than this share of the earlier figure is no change
# words every indicator's name or every code's definition may say: they tell no line of enquiry from another
MEASURES = frozenset({"rate", "number", "percentage", "proportion", "total", "children", "child", "year", "month",
                      "day", "new", "average"})


def _words(text: str) -> set[str]:
    """The words of a name or a definition that can tell one line of enquiry from another (`keyword_tokens`, the
    one tokeniser for keywords: singular, stop words and numbers left out), without the words of measurement."""
    return {w for w in keyword_tokens(text, keyword_stop_words()) if len(w) > 2 and w not in MEASURES}


def code_for(indicator: str, codebook: Codebook) -> str | None:
    """The leaf code whose words the indicator's name shares most (a keyword counts double); None when none shares
    two points' worth."""
    wanted = _words(indicator)
    best, best_score = None, 1
    for code in codebook.leaves:
        keywords = set().union(*(_words(k) for k in code.keywords)) if code.keywords else set()
        described = _words(" ".join([code.label, code.definition, *code.include]))
        score = 2 * len(wanted & keywords) + len(wanted & (described - keywords))
        if score > best_score:
            best, best_score = code.id, score
    return best


def assess_indicators(values: pd.DataFrame, codebook: Codebook, codes: Mapping[str, str] | None = None,
                      outlier: float = 0.2) -> pd.DataFrame:
    """One row per indicator (`ASSESSMENT_COLUMNS`): its latest figure and the one before, the trend, the
    comparators at the latest period, the largest relative gap to them, and the flag.

    Args:
        values: `Store.indicator_values()`.
        codes: indicator name (any case) -> code id, from the project's settings.
    """
    known = {c.id for c in codebook.leaves}
    chosen = {k.casefold(): v for k, v in (codes or {}).items()}
    rows = []
    for indicator, figures in values.groupby("indicator", sort=True):
        own = figures[figures["series"] == OWN_SERIES]
        own = own.iloc[sorted(range(len(own)), key=lambda i: period_key(str(own["period"].iloc[i])))]
        if own.empty:
            continue
        latest = own.iloc[-1]
        before = own.iloc[-2] if len(own) > 1 else None
        given = next((str(c) for c in figures["code_id"].dropna() if str(c) in known), None)
        code: str | None
        if given is not None:
            code, how = given, "table"
        elif str(indicator).casefold() in chosen:
            code, how = chosen[str(indicator).casefold()], "settings"
        else:
            code = code_for(str(indicator), codebook)
            how = "words" if code is not None else "none"
        better = next((str(b) for b in figures["better"].dropna()), None)
        unit = next((str(u) for u in figures["unit"].dropna()), "")
        compared = _comparators(figures, str(latest["period"]))
        value = float(latest["value"])
        gaps = {name: (value - other) / abs(other) for name, other in compared.items() if other}
        flag, gap = _flag(gaps, better, outlier)
        rows.append({
            "indicator": indicator, "code_id": code or "", "mapped_by": how, "unit": unit, "better": better or "",
            "period": latest["period"], "value": value,
            "previous_period": before["period"] if before is not None else "",
            "previous": float(before["value"]) if before is not None else float("nan"),
            "trend": _trend(value, float(before["value"]) if before is not None else None, better),
            "comparators": "; ".join(f"{name} {figure(other, unit)}" for name, other in compared.items()),
            "gap": round(gap, 3), "flag": flag})
    return pd.DataFrame(rows, columns=ASSESSMENT_COLUMNS)


def _comparators(figures: pd.DataFrame, period: str) -> dict[str, float]:
    """Each comparator's figure for `period`, or its latest before it."""
    found: dict[str, float] = {}
    latest = period_key(period)
    others = figures[figures["series"] != OWN_SERIES]
    for name, series in others.groupby("series", sort=True):
        known = [(period_key(str(p)), float(v)) for p, v in zip(series["period"], series["value"], strict=True)
                 if period_key(str(p)) <= latest]
        if known:
            found[str(name)] = max(known)[1]
    return found


def _flag(gaps: dict[str, float], better: str | None, outlier: float) -> tuple[str, float]:
    """(flag, the largest relative gap, signed as worse > 0) against every comparator."""
    if not gaps:
        return "", 0.0
    if better is None:
        largest = max(gaps.values(), key=abs)
        apart = all(abs(g) >= outlier for g in gaps.values()) and len({g > 0 for g in gaps.values()}) == 1
        return ("apart from comparators" if apart else ""), largest
    worse = {name: (gap if better == "lower" else -gap) for name, gap in gaps.items()}
    if all(w > 0 for w in worse.values()) and max(worse.values()) >= outlier:
        return WORSE, max(worse.values())
    if all(w < 0 for w in worse.values()) and min(worse.values()) <= -outlier:
        return BETTER, min(worse.values())
    return "", max(worse.values(), key=abs)


def _trend(value: float, previous: float | None, better: str | None) -> str:
    if previous is None:
        return ""
    change = value - previous
    if abs(change) <= STEADY * max(abs(previous), 1e-9):
        return "steady"
    if better is None:
        return "rising" if change > 0 else "falling"
    return "improving" if (change > 0) == (better == "higher") else "worsening"


def figure(value: float, unit: str) -> str:
    shown = f"{value:,.1f}".removesuffix(".0")
    return f"{shown}%" if unit.strip() == "%" else shown


def describe(row: pd.Series | dict[str, object]) -> str:
    """An indicator in one line, as the briefing states it: figure, trend and comparators."""
    unit = str(row["unit"] or "")
    text = f"{row['indicator']}: {figure(float(row['value']), unit)} in {row['period']}"  # type: ignore[arg-type]
    if row["trend"]:
        text += f", {row['trend']} (was {figure(float(row['previous']), unit)})"  # type: ignore[arg-type]
    if row["comparators"]:
        text += f"; {row['comparators']}"
    return text
