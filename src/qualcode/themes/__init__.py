"""Emerging themes (BERTopic) over what the codebook does not hold, how topics line up with codes, and how
much of each voice's talk the framework holds.

Loaded on first use, so reading last night's themes or the framework's coverage does not import the topic model.
"""

from typing import TYPE_CHECKING

from qualcode.lazy import lazy_attributes

_LAZY = {
    **dict.fromkeys(("Themes", "find_themes", "propose_codes", "topic_code_table", "uncovered_statements"),
                    "qualcode.themes.analysis"),
    **dict.fromkeys(("framework_coverage", "held_statements"), "qualcode.themes.coverage"),
    **dict.fromkeys(("MIN_STATEMENTS", "ThemeSettings"), "qualcode.themes.model"),
    **dict.fromkeys(("TrackedThemes", "track_themes"), "qualcode.themes.tracking"),
}

if TYPE_CHECKING:
    from qualcode.themes.analysis import Themes, find_themes, propose_codes, topic_code_table, uncovered_statements
    from qualcode.themes.coverage import framework_coverage, held_statements
    from qualcode.themes.model import MIN_STATEMENTS, ThemeSettings
    from qualcode.themes.tracking import TrackedThemes, track_themes

__getattr__ = lazy_attributes(__name__, _LAZY)

__all__ = ["MIN_STATEMENTS", "ThemeSettings", "Themes", "TrackedThemes", "find_themes", "framework_coverage",
           "held_statements", "propose_codes", "topic_code_table", "track_themes", "uncovered_statements"]
