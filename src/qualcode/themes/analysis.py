"""What the codebook misses: themes among statements with no code, candidate codes, and topic-by-code coverage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import yaml

from qualcode.evidence.quotes import best_quotes
from qualcode.themes.coverage import held_statements
from qualcode.themes.drafts import draft_code
from qualcode.themes.filters import BACKCHANNEL, NO_SUBJECT, OTHER_LANGUAGE
from qualcode.themes.model import ThemeSettings, fit_topics

THEME_COLUMNS = ["theme", "label", "keywords", "statements", "roles", "agencies"]


@dataclass(frozen=True)
class Themes:
    """themes: `THEME_COLUMNS`, largest first. members: the statements with their `theme` (-1: none) and why
    they were `left_out` ("backchannel", "other language", "" if not). quotes: the most central statements of
    each theme (theme and `QUOTE_COLUMNS`)."""

    themes: pd.DataFrame
    members: pd.DataFrame
    quotes: pd.DataFrame

    @property
    def left_out(self) -> dict[str, int]:
        """How many statements were left out, by reason (`BACKCHANNEL`, `OTHER_LANGUAGE`, `NO_SUBJECT`), each
        reason present."""
        counts = self.members["left_out"].value_counts()
        return {reason: int(counts.get(reason, 0)) for reason in (BACKCHANNEL, OTHER_LANGUAGE, NO_SUBJECT)}


def uncovered_statements(segments: pd.DataFrame, codings: pd.DataFrame, low_confidence: float) -> pd.DataFrame:
    """Statements the codebook does not hold well: no code assigned, or none above `low_confidence`.

    Args:
        segments: `Store.segments()`; codings: `Store.codings()` of one codebook version.
    """
    return segments[~segments["segment_id"].isin(held_statements(codings, low_confidence))].reset_index(drop=True)


def find_themes(statements: pd.DataFrame, vectors: np.ndarray, settings: ThemeSettings | None = None,
                embedding_model: Any = None) -> Themes:
    """Themes among `statements` (`Store.segments()` rows) from their embeddings (one row each)."""
    settings = settings or ThemeSettings()
    statements = statements.reset_index(drop=True)
    topics, keywords, left_out = fit_topics(statements, vectors, settings, embedding_model)
    members = statements.assign(theme=topics, left_out=left_out)
    rows, quotes = [], []
    for theme, words in keywords.items():
        inside = members["theme"] == theme
        group = members[inside]
        centre = vectors[inside.to_numpy()].mean(axis=0)
        closeness = vectors[inside.to_numpy()] @ (centre / np.linalg.norm(centre))
        central = group.assign(confidence=closeness.round(4)).sort_values("confidence", ascending=False)
        quotes.append(best_quotes(central, settings.quotes).assign(theme=theme))
        rows.append({"theme": theme, "label": theme_label(words) or f"unnamed theme {theme}",
                     "keywords": ", ".join(words), "statements": len(group), "roles": _voices(group["role"]),
                     "agencies": _voices(group["agency"])})
    themes = pd.DataFrame(rows, columns=THEME_COLUMNS).sort_values(["statements", "theme"], ascending=[False, True])
    quoted = pd.concat(quotes, ignore_index=True) if quotes else pd.DataFrame(columns=["theme"])
    return Themes(themes=themes.reset_index(drop=True), members=members,
                  quotes=quoted[["theme", *[c for c in quoted.columns if c != "theme"]]])


def theme_label(keywords: list[str]) -> str:
    """A readable label from the strongest keywords (phrases), skipping one already inside a stronger phrase, or
    whose words a stronger phrase already says ("machine learning" after "learning model")."""
    chosen: list[str] = []
    said: set[str] = set()
    for phrase in keywords:
        words = {w.removesuffix("s") for w in phrase.split()}
        if not any(phrase in kept or kept in phrase for kept in chosen) and not words <= said:
            chosen.append(phrase)
            said |= words
        if len(chosen) == 3:
            break
    return ", ".join(chosen)


def propose_codes(themes: Themes, prefix: str = "emerging", examples: int = 6) -> str:
    """Candidate codes as a YAML snippet to paste into a codebook's `codes:` list (then edit: drafts only)."""
    codes: list[dict[str, Any]] = []
    for row in themes.themes.itertuples(index=False):
        central = themes.quotes[themes.quotes["theme"] == row.theme]["text"].tolist()
        others = themes.members[themes.members["theme"] == row.theme]["text"].tolist()
        code = draft_code(row.label, row.keywords, row.statements, row.roles, central + others, prefix,
                          taken=[c["id"] for c in codes])
        codes.append({**code, "examples": code["examples"][:examples]})
    header = ("# Candidate codes from `qualcode themes --propose`: drafts from statements the codebook does not\n"
              "# hold. Check the examples, rewrite each definition, then paste under `codes:`.\n")
    return header + yaml.safe_dump(codes, sort_keys=False, allow_unicode=True, width=110)


def topic_code_table(members: pd.DataFrame, codings: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Topics (rows) by each statement's most confident assigned code (columns, 'none' without one): where
    topics and codes line up, the codebook covers the corpus; a topic spread thin, or all 'none', it misses.

    Args:
        members: `Themes.members` of a run over all statements; codings: `Store.codings()` of one version.
    """
    assigned = codings[codings["assigned"].astype(bool)].sort_values("confidence", ascending=False)
    best = assigned.drop_duplicates("segment_id").set_index("segment_id")["code_id"]
    labels = dict(zip(themes["theme"], themes["label"], strict=True))
    topic = members["theme"].map(lambda t: labels.get(t, "(no topic)"))
    if "left_out" in members:
        reason = members["left_out"].fillna("")
        topic = topic.where(reason == "", "(left out: " + reason + ")")
    frame = members.assign(code=members["segment_id"].map(best).fillna("none"), topic=topic)
    return pd.crosstab(frame["topic"], frame["code"])


def _voices(values: pd.Series) -> str:
    counts = values.value_counts()
    return "; ".join(f"{voice} ({n})" for voice, n in counts.items())
