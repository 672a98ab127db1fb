"""Emerging themes (BERTopic) over what the codebook does not hold, and how topics line up with codes."""

from qualcode.themes.analysis import Themes, find_themes, propose_codes, topic_code_table, uncovered_statements
from qualcode.themes.model import MIN_STATEMENTS, ThemeSettings

__all__ = ["MIN_STATEMENTS", "ThemeSettings", "Themes", "find_themes", "propose_codes", "topic_code_table",
           "uncovered_statements"]
