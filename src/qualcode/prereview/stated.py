"""What a document says of itself: a self-evaluation or a board's minutes state their strengths and weaknesses
in set phrases ("X is a strength", "we recognise that", "an area for development is"), which read more surely
than the valence model, trained on speech, reads them. Where a phrase says it, it decides the valence; elsewhere
the model's valence stands.

Measured on the bundled week's self-evaluation: the model read "Supervision is a strength: ... regular and
reflective" and "Case recording is timely and up to date" as areas for improvement, and "We need to hear more from
children" as a strength.
"""

from __future__ import annotations

import re

import pandas as pd

from qualcode.review.decisions import HUMAN

WEAKNESS = re.compile(
    r"(?i)\b(?:we (?:recognise|recognize|acknowledge|accept|know|are aware) that|we need to|we must|we have more to do|"
    r"(?:an? )?areas? (?:for|of) (?:development|improvement)|not (?:yet(?! seen)|consistently|always|good enough)|"
    r"too (?:high|many|low|few|slow|long|variable)|remains? (?:too |a )?(?:high|low|challeng|concern|variable)|"
    r"is a (?:challenge|concern|risk|weakness)|(?:greatest|main|key) (?:single )?risk|reliance on|gaps? in|"
    r"inconsistent|insufficient|incomplete|late\b|delay(?:ed|s)?\b|concern(?:ed)? (?:that|about)|poor|weak(?:ness)?|"
    r"fail(?:s|ed|ing)?\b|backlog|drift)")
STRENGTH = re.compile(
    r"(?i)\b(?:(?:is|are) (?:a |our )?(?:key |particular )?strengths?|strengths? (?:is|are|include)|"
    r"(?:is|are) (?:consistently )?(?:timely|robust|effective|embedded|strong|good|outstanding|up to date|"
    r"well (?:established|embedded|attended|understood|led))|consistently (?:good|strong|high|timely|well|effective|"
    r"robust|reflective|positive|multi-agency)|attends? [^.;:]{0,60}consistently|we are proud|has improved|"
    r"have improved)\b")
STATED_CONFIDENCE = 0.9  # how sure a set phrase is, against the model's own confidence


def stated_valence(text: str) -> str | None:
    """The valence a document's set phrase gives a sentence: a weakness phrase wins over a strength one ("not
    consistently"), None where neither is said."""
    if WEAKNESS.search(text):
        return "area_for_improvement"
    if STRENGTH.search(text):
        return "strength"
    return None


def as_stated(documents: pd.DataFrame) -> pd.DataFrame:
    """The documents' coded statements with the valence their own phrases give, where they give one; a person's
    decision on a statement stands (`stated` is True where a phrase decided)."""
    said = documents["text"].astype(str).map(stated_valence).where(documents["method"] != HUMAN)
    return documents.assign(
        valence=said.fillna(documents["valence"]),
        valence_confidence=documents["valence_confidence"].where(said.isna(), STATED_CONFIDENCE),
        stated=said.notna())
