"""Emerging themes from night to night: a theme keeps its identity as it grows.

BERTopic is fitted afresh each night, on a pool of statements that grows (and shrinks, as people code some of
them), so its topic numbers mean nothing from one night to the next. A theme is therefore known by its statements:
tonight's theme is yesterday's when they share at least half of the smaller one's statements, and it keeps
yesterday's identity (`E3`) and the day it was first seen. A theme with no such match is new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from qualcode.evidence.statements import voices

if TYPE_CHECKING:
    from qualcode.themes.analysis import Themes

TRACKED_COLUMNS = ["theme_id", "label", "keywords", "place", "near_code", "framework_words", "named", "status",
                   "since", "statements", "new_statements", "sources", "roles", "agencies", "role_count",
                   "agency_count"]
PLACES = ("outside", "near", "loose")  # `qualcode.themes.framing`: the order themes are listed in
MEMBER_COLUMNS = ["theme_id", "segment_id"]
NEW, GROWING, STEADY = "new", "growing", "steady"
MIN_SHARED = 0.5  # of the smaller theme's statements, for two nights' themes to be one
_ID = re.compile(r"E(\d+)")
# The tables a report writes: tonight's themes, their statements (by id: how tomorrow knows them), their quotes,
# and how much of each agency's talk the framework holds.
THEMES_TABLE, MEMBERS_TABLE, QUOTES_TABLE, COVERAGE_TABLE = (
    "emerging_themes", "emerging_theme_members", "emerging_theme_quotes", "framework_coverage")


@dataclass(frozen=True)
class TrackedThemes:
    """Tonight's themes with their identities.

    themes: `TRACKED_COLUMNS`, largest first. members: `MEMBER_COLUMNS`. quotes: `theme_id` then the quote
    columns (`qualcode.evidence.quotes.QUOTE_COLUMNS`). faded: yesterday's themes not found tonight (their
    statements now coded, or too few to stand as a theme)."""

    themes: pd.DataFrame
    members: pd.DataFrame
    quotes: pd.DataFrame
    faded: pd.DataFrame


@dataclass(frozen=True)
class NightlyThemes:
    """Tonight's emerging themes (None when there were too few statements outside the framework: `too_few` says
    so in words), with how much of each agency's talk the framework holds."""

    tracked: TrackedThemes | None
    outside: int  # statements no code holds with confidence, the team's own notes aside
    sampled: int  # of those, how many themes were looked for in (all of them up to `themes.max_statements`)
    left_out: dict[str, int]  # of those, left out as backchannels or another language
    too_few: str
    coverage: pd.DataFrame
    low_confidence: float

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables a report writes, by name."""
        tables = {COVERAGE_TABLE: self.coverage}
        if self.tracked is not None:
            tables |= {THEMES_TABLE: self.tracked.themes, MEMBERS_TABLE: self.tracked.members,
                       QUOTES_TABLE: self.tracked.quotes}
        return tables


def track_themes(found: Themes, framing: pd.DataFrame, day: str, before: pd.DataFrame,
                 before_members: pd.DataFrame, last_id: int = 0) -> TrackedThemes:
    """Give tonight's themes the identities of yesterday's they continue, and new ones to the rest.

    Args:
        found: tonight's themes (`qualcode.themes.find_themes` over the statements no code holds).
        framing: where each stands against the framework (`qualcode.themes.framing.frame_themes`).
        day: tonight's report day (ISO), the `since` of a new theme.
        before, before_members: the previous report's `TRACKED_COLUMNS` and `MEMBER_COLUMNS` (empty if none).
        last_id: the highest theme number given so far, so a new theme never takes a faded one's identity.
    """
    members = found.members[found.members["theme"] >= 0]
    tonight = {int(t): set(group["segment_id"]) for t, group in members.groupby("theme")}
    yesterday = {str(t): set(group["segment_id"]) for t, group in before_members.groupby("theme_id")}
    pairs = sorted(((len(now & then), t, i) for t, now in tonight.items() for i, then in yesterday.items()
                    if len(now & then) >= MIN_SHARED * min(len(now), len(then))), key=lambda p: (-p[0], p[1], p[2]))
    identity: dict[int, str] = {}
    for _, topic, theme_id in pairs:
        if topic not in identity and theme_id not in identity.values():
            identity[topic] = theme_id
    since = dict(zip(before.get("theme_id", []), before.get("since", []), strict=True))
    placed = framing.set_index("theme")
    rows = []
    for row in found.themes.itertuples(index=False):
        topic = int(row.theme)
        if topic not in identity:
            last_id += 1
            identity[topic] = f"E{last_id}"
        theme_id = identity[topic]
        group = members[members["theme"] == topic]
        then = yesterday.get(theme_id, set())
        added = len(tonight[topic] - then)
        status = NEW if theme_id not in yesterday else GROWING if added else STEADY
        place = placed.loc[topic]
        rows.append({"theme_id": theme_id, "label": row.label, "keywords": row.keywords, "place": place["place"],
                     "near_code": place["near_code"], "framework_words": place["framework_words"],
                     "named": place["named"], "status": status,
                     "since": since.get(theme_id, day), "statements": len(group), "new_statements": added,
                     "sources": int(group["source_id"].nunique()), "roles": row.roles, "agencies": row.agencies,
                     "role_count": len(voices(group["role"])), "agency_count": len(voices(group["agency"]))})
    themes = pd.DataFrame(rows, columns=TRACKED_COLUMNS)
    order = themes["place"].map({p: i for i, p in enumerate(PLACES)})
    themes = themes.assign(_order=order).sort_values(["_order", "statements", "theme_id"],
                                                     ascending=[True, False, True], kind="stable")
    themes = themes.drop(columns="_order")
    member_rows = pd.DataFrame({"theme_id": members["theme"].map(lambda t: identity[int(t)]),
                                "segment_id": members["segment_id"]}, columns=MEMBER_COLUMNS)
    quotes = found.quotes.assign(theme_id=found.quotes["theme"].map(lambda t: identity.get(int(t), "")))
    quotes = quotes[["theme_id", *[c for c in quotes.columns if c not in ("theme", "theme_id")]]]
    faded = before[~before["theme_id"].isin(set(identity.values()))] if len(before) else before
    return TrackedThemes(themes=themes.reset_index(drop=True), members=member_rows.reset_index(drop=True),
                         quotes=quotes.reset_index(drop=True), faded=faded.reset_index(drop=True))


def highest_id(theme_ids: pd.Series) -> int:
    """The highest number among theme identities (`E12` -> 12), 0 for none."""
    numbers = [int(m.group(1)) for m in (_ID.fullmatch(str(t)) for t in theme_ids) if m]
    return max(numbers, default=0)
