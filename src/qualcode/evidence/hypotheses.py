"""The review team's hypotheses (`hypotheses.yaml`): what each claims, which codes bear on it, what supports it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from qualcode.codebook.model import Codebook, Valence
from qualcode.errors import BadHypotheses
from qualcode.yamlfile import LINE, load_with_lines, strip_lines

HYPOTHESES_NAME = "hypotheses.yaml"


class Voices(BaseModel):
    """Roles and agencies a hypothesis needs to hear from before the team can lean on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: list[str] = Field(default_factory=list)
    agencies: list[str] = Field(default_factory=list)


class Hypothesis(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")
    statement: str = Field(min_length=1)
    codes: list[str] = Field(min_length=1)
    supported_by: Valence
    keywords: list[str] = Field(default_factory=list)
    voices: Voices | None = None
    notes: str = ""

    @field_validator("supported_by")
    @classmethod
    def _not_neutral(cls, value: Valence) -> Valence:
        if value == "neutral":
            raise ValueError("a neutral statement cannot support or contradict; use strength or "
                             "area_for_improvement")
        return value

    @field_validator("keywords")
    @classmethod
    def _keywords_not_blank(cls, value: list[str]) -> list[str]:
        if any(not k.strip() for k in value):
            raise ValueError("a keyword is empty")
        return value

    @property
    def contradicted_by(self) -> Valence:
        return "strength" if self.supported_by == "area_for_improvement" else "area_for_improvement"

    def keyword_pattern(self) -> re.Pattern[str] | None:
        """Matches any keyword at a word start, ignoring case and spacing ('board' also finds 'boards', 'family'
        'families': keywords are often drawn in the singular)."""
        if not self.keywords:
            return None
        words = (r"\s+".join(_word_start(w) for w in k.split()) for k in self.keywords)
        return re.compile(r"\b(?:" + "|".join(words) + ")", re.IGNORECASE)


def _word_start(word: str) -> str:
    """A keyword word as the start of a word: one in -y also as its plural in -ies."""
    if len(word) > 3 and word[-1] in "yY" and word[-2].lower() not in "aeiou":
        return re.escape(word[:-1]) + "(?:y|ies)"
    return re.escape(word)


class HypothesisSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    hypotheses: list[Hypothesis] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ids_unique(self) -> HypothesisSet:
        seen: set[str] = set()
        for hypothesis in self.hypotheses:
            if hypothesis.id in seen:
                raise ValueError(f"duplicate hypothesis id {hypothesis.id!r}")
            seen.add(hypothesis.id)
        return self


def load_hypotheses(path: Path, codebook: Codebook | None = None) -> HypothesisSet:
    """Load and validate; with a codebook, every code named must exist in it (a parent stands for its leaves)."""
    raw = load_with_lines(path, BadHypotheses, "hypotheses file")
    if raw is None:
        return HypothesisSet()
    if not isinstance(raw, dict) or not isinstance(raw.get("hypotheses", []), list):
        raise BadHypotheses("The file needs a `hypotheses:` list.", path=path, line=1)
    items: list[Any] = raw.get("hypotheses", [])
    try:
        hypotheses = HypothesisSet.model_validate(strip_lines(raw))
    except ValidationError as exc:
        error = exc.errors()[0]
        location = list(error["loc"])
        line, where = raw.get(LINE), ""
        if len(location) >= 2 and location[0] == "hypotheses" and isinstance(location[1], int):
            item = items[location[1]]
            if isinstance(item, dict):
                line = item.get(LINE, line)
                where = f"hypothesis {item.get('id')!r}, " if item.get("id") else ""
            location = location[2:]
        field = ".".join(str(p) for p in location if not isinstance(p, int)) or "hypotheses"
        raise BadHypotheses(f"{where}field `{field}`: {error['msg']}.", path=path, line=line) from None
    if codebook is not None and hypotheses.hypotheses and not codebook.valence:
        raise BadHypotheses(f"Codebook {codebook.name!r} has no valence, so no statement can support or contradict "
                            "a hypothesis; use a codebook with `valence: true` and valence examples.", path=path,
                            line=raw.get(LINE))
    if codebook is not None:
        known = {c.id for c in codebook.codes}
        for item, hypothesis in zip(items, hypotheses.hypotheses, strict=True):
            unknown = [c for c in hypothesis.codes if c not in known]
            if unknown:
                raise BadHypotheses(f"hypothesis {hypothesis.id!r} names code {unknown[0]!r}, which codebook "
                                    f"{codebook.name!r} does not have.", path=path, line=item.get(LINE))
    return hypotheses


def leaf_codes(hypothesis: Hypothesis, codebook: Codebook) -> list[str]:
    """The codes statements carry for this hypothesis: each named code, or the leaves under a named parent."""
    children: dict[str, list[str]] = {}
    for code in codebook.codes:
        if code.parent:
            children.setdefault(code.parent, []).append(code.id)

    def leaves(code_id: str) -> list[str]:
        return [leaf for child in children[code_id] for leaf in leaves(child)] if code_id in children else [code_id]

    return list(dict.fromkeys(leaf for code_id in hypothesis.codes for leaf in leaves(code_id)))
