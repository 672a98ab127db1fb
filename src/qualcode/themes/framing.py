"""Where a theme stands against the framework: outside it, near one of its codes, or too loose to name.

The coder always picks the nearest code, so a subject the codebook has no code for still gets one, often with fair
confidence (on the bundled week, 12 of 17 statements about interpreters were coded at 0.5 or more, to the voice
of the child or frontline practice). Confidence alone cannot say what the framework does not name. Words can: a
theme is outside the framework when most of the words that set it apart are words the codebook never uses.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from qualcode.codebook.model import Codebook
from qualcode.themes.filters import singular

FRAMING_COLUMNS = ["theme", "place", "framework_words", "named", "near_code"]
OUTSIDE, NEAR, LOOSE = "outside", "near", "loose"
# Share of a theme's statements that must say one of its keywords for the words to name it. A broad theme of real
# talk (193 statements about clients, restaurants and companies) has a third saying one; a group of scraps
# ("came, work, history", "question, let, answer") a sixth.
NAMED = 0.25
FRAMEWORK_WORDS = 0.5  # share of its keywords the codebook uses, at or above which a theme is near the framework
_WORDS = re.compile(r"[^\W\d_]+")


def codebook_words(codebook: Codebook) -> frozenset[str]:
    """Every word the codebook uses (labels, definitions, inclusions, exclusions, examples, keywords), singular."""
    found: set[str] = set()
    for code in codebook.codes:
        for text in (code.label, code.definition, *code.include, *code.exclude, *code.examples,
                     *code.counter_examples, *code.keywords):
            found |= {singular(w) for w in _WORDS.findall(text.lower())}
    return frozenset(found)


def frame_themes(themes: pd.DataFrame, members: pd.DataFrame, tokens: pd.Series, codings: pd.DataFrame,
                 codebook: Codebook, keywords: int = 8) -> pd.DataFrame:
    """Each theme's place: `outside` the framework, `near` a code, or `loose` (too few of its statements say one of
    its words for them to name it).

    Args:
        themes: `Themes.themes` (theme, keywords); members: `Themes.members` (segment_id, theme).
        tokens: each member's keyword tokens (`qualcode.themes.filters.keyword_tokens`), on members' index.
        codings: the current codings (the nearest code is the one most of its statements were given).

    Returns:
        `FRAMING_COLUMNS`: `framework_words` is the share of its first `keywords` single words the codebook uses;
        `named` the share of its statements that say one of them.
    """
    vocabulary = codebook_words(codebook)
    assigned = codings[codings["assigned"].astype(bool)].sort_values("confidence", ascending=False)
    best = assigned.drop_duplicates("segment_id").set_index("segment_id")["code_id"]
    rows = []
    for row in themes.itertuples(index=False):
        words = [w for w in str(row.keywords).split(", ") if w and " " not in w][:keywords]
        inside = members["theme"] == row.theme
        said = [set(t) for t in tokens[inside]]
        named = float(np.mean([bool(s & set(words)) for s in said])) if said else 0.0
        used = float(np.mean([w in vocabulary for w in words])) if words else 1.0
        codes = members.loc[inside, "segment_id"].map(best).dropna().value_counts()
        place = LOOSE if named < NAMED else NEAR if used >= FRAMEWORK_WORDS else OUTSIDE
        rows.append({"theme": row.theme, "place": place, "framework_words": round(used, 3),
                     "named": round(named, 3), "near_code": str(codes.index[0]) if len(codes) else ""})
    return pd.DataFrame(rows, columns=FRAMING_COLUMNS)
