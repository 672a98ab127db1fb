"""Tonight's emerging themes in a day's report: found among what no code holds, tracked from the report before.

Light to import (the topic model loads only when themes are looked for), because the nightly check for nothing
new reads what a report's themes depend on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode.codebook.model import Codebook
from qualcode.errors import TooFewStatements
from qualcode.outputs import unescape_cell
from qualcode.project import Project
from qualcode.text import for_models
from qualcode.themes.coverage import framework_coverage
from qualcode.themes.tracking import (
    MEMBER_COLUMNS,
    MEMBERS_TABLE,
    QUOTES_TABLE,
    THEMES_TABLE,
    TRACKED_COLUMNS,
    NightlyThemes,
    highest_id,
    track_themes,
)

# In each day's report folder (`NightlyThemes.tables`, as CSV and Parquet).
EMERGING, EMERGING_MEMBERS, EMERGING_QUOTES = (f"{name}.csv" for name in (THEMES_TABLE, MEMBERS_TABLE, QUOTES_TABLE))


def nightly_themes(project: Project, codebook: Codebook, segments: pd.DataFrame, codings: pd.DataFrame,
                   day: dt.date, previous: dt.date | None, team_notes: list[str]) -> NightlyThemes:
    """Tonight's emerging themes among `segments` (the statements known on `day`) that no code holds, each with
    the identity it had in the `previous` report when it continues one of its themes. Statements not yet coded
    with the current coding are neither held nor outside: they wait for the coding, as in the rest of the report.

    Args:
        codings: the current codings, people's decisions laid over them.
        team_notes: source types that are the team's own notes: not a voice, so never a theme's.
    """
    from qualcode.themes.analysis import find_themes, uncovered_statements
    from qualcode.themes.filters import keyword_stop_words, keyword_tokens
    from qualcode.themes.framing import frame_themes
    from qualcode.themes.model import ThemeSettings
    from qualcode.workspace.wiring import project_embedder

    config = project.config.themes
    segments = segments[segments["segment_id"].isin(set(codings["segment_id"]))]  # not yet coded: not outside
    coverage = framework_coverage(segments, codings, config.low_confidence)
    voiced = segments[~segments["source_type"].isin(team_notes)]
    pool = uncovered_statements(voiced, codings, config.low_confidence)
    outside = len(pool)

    def too_few(said: str) -> NightlyThemes:
        return NightlyThemes(None, outside, outside, {}, f"{said} Themes found in so few would be noise.",
                             coverage, config.low_confidence)

    if outside < config.min_statements:  # say so before loading any model
        return too_few(f"Only {outside} statements that no code holds, the team's notes aside; at least "
                       f"{config.min_statements} are needed to look for themes (`themes.min_statements`).")
    pool = sample(pool, config.max_statements)
    vectors = project_embedder(project).encode([for_models(t) for t in pool["text"]])
    settings = ThemeSettings(min_statements=config.min_statements, spacy_model=project.config.spacy_model)
    try:
        found = find_themes(pool, vectors, settings)
    except TooFewStatements as few:
        return too_few(few.message)
    stop_words = keyword_stop_words()
    framing = frame_themes(found.themes, found.members,
                           found.members["text"].map(lambda text: keyword_tokens(text, stop_words)), codings,
                           codebook)
    before, before_members = earlier_themes(project, previous)
    tracked = track_themes(found, framing, day.isoformat(), before, before_members,
                           last_id=max(highest_id(before["theme_id"]), _highest_before(project, day)))
    return NightlyThemes(tracked, outside, len(pool), found.left_out, "", coverage, config.low_confidence)


def sample(statements: pd.DataFrame, size: int) -> pd.DataFrame:
    """At most `size` statements, chosen by a hash of their ids: the same statements from night to night (so a
    theme keeps its members as the pool grows), none favoured by source or day."""
    if len(statements) <= size:
        return statements
    keys = statements["segment_id"].map(lambda s: hashlib.blake2b(str(s).encode(), digest_size=8).hexdigest())
    return statements.loc[keys.sort_values(kind="stable").index[:size]].sort_index().reset_index(drop=True)


@dataclass(frozen=True)
class EmergingThemes:
    """A report's emerging themes as it wrote them: `TRACKED_COLUMNS`, their statements and quotes."""

    day: dt.date | None
    themes: pd.DataFrame
    members: pd.DataFrame
    quotes: pd.DataFrame

    def theme(self, theme_id: str) -> pd.Series:
        from qualcode.errors import BadDecisions

        found = self.themes[self.themes["theme_id"] == theme_id]
        if found.empty:
            raise BadDecisions("No such theme in the latest report: it may have faded since the page was loaded.",
                               hint="Reload the Themes page.")
        return found.iloc[0]


def latest_themes(project: Project, day: dt.date | None = None) -> EmergingThemes:
    """The emerging themes of `day`'s report, or of the latest report that has any (empty when none has)."""
    if day is None:
        days = sorted((p.parent.name for p in project.outputs.glob(f"????-??-??/{EMERGING}")), reverse=True)
        day = dt.date.fromisoformat(days[0]) if days else None
    themes, members = earlier_themes(project, day)
    quotes = pd.DataFrame(columns=["theme_id", "segment_id", "text", "role"])
    if day is not None and (project.outputs / day.isoformat() / EMERGING_QUOTES).is_file():
        path = project.outputs / day.isoformat() / EMERGING_QUOTES
        quotes = pd.read_csv(path, dtype=str, keep_default_na=False).map(unescape_cell)
    for column in ("statements", "new_statements", "role_count", "agency_count"):
        themes[column] = pd.to_numeric(themes[column], errors="coerce").fillna(0).astype(int)
    return EmergingThemes(day=day, themes=themes, members=members, quotes=quotes)


def earlier_themes(project: Project, day: dt.date | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A report's emerging themes and their statements as it wrote them (empty frames for none)."""
    themes, members = pd.DataFrame(columns=TRACKED_COLUMNS), pd.DataFrame(columns=MEMBER_COLUMNS)
    if day is None:
        return themes, members
    folder = project.outputs / day.isoformat()
    if (folder / EMERGING).is_file() and (folder / EMERGING_MEMBERS).is_file():
        themes, members = _read(folder / EMERGING, TRACKED_COLUMNS), _read(folder / EMERGING_MEMBERS, MEMBER_COLUMNS)
    return themes, members


def theme_files(project: Project, day: dt.date | None) -> bytes:
    """What a later report's themes take from `day`'s (for that report's input digest)."""
    folder = project.outputs / day.isoformat() if day else None
    return b"|".join((folder / name).read_bytes() if folder and (folder / name).is_file() else b"-"
                     for name in (EMERGING, EMERGING_MEMBERS))


def _highest_before(project: Project, day: dt.date) -> int:
    """The highest theme number any report before `day` gave, so a faded theme's identity is never reused."""
    numbers = [highest_id(_read(path, ["theme_id"])["theme_id"])
               for path in project.outputs.glob(f"????-??-??/{EMERGING}") if path.parent.name < day.isoformat()]
    return max(numbers, default=0)


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).reindex(columns=columns).fillna("")
    return frame.map(unescape_cell)
