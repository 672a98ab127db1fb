"""Codebooks: a validated, versioned hierarchy of codes with definitions, examples and patterns."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Valence = Literal["strength", "area_for_improvement", "neutral"]
VALENCES: tuple[Valence, ...] = ("strength", "area_for_improvement", "neutral")


class Code(BaseModel):
    """One code. Leaves (codes without children) are what statements get; parents group them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
    label: str = Field(min_length=1)
    definition: str
    parent: str | None = None
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    counter_examples: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    patterns: list[list[dict[str, Any]]] = Field(default_factory=list)
    threshold: float | None = Field(None, gt=0.0, lt=1.0)

    @field_validator("definition")
    @classmethod
    def _definition_says_something(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the definition is empty; say what belongs in this code")
        return " ".join(value.split())


class ValenceExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    strength: list[str] = Field(min_length=1)
    area_for_improvement: list[str] = Field(min_length=1)
    neutral: list[str] = Field(min_length=1)

    def by_class(self) -> dict[Valence, list[str]]:
        return {"strength": self.strength, "area_for_improvement": self.area_for_improvement,
                "neutral": self.neutral}


class Codebook(BaseModel):
    """A framework's codes. `version` goes into every coding made with it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    author: str = ""
    description: str = ""
    valence: bool = False
    valence_examples: ValenceExamples | None = None
    codes: list[Code] = Field(min_length=1)

    @model_validator(mode="after")
    def _hierarchy_holds(self) -> Codebook:
        if self.valence and self.valence_examples is None:
            raise ValueError("valence: true needs a valence_examples block")
        if len(self.leaves) < 2:
            raise ValueError("a codebook needs at least two codes that statements can get")
        return self

    @property
    def parents(self) -> set[str]:
        return {c.parent for c in self.codes if c.parent}

    @property
    def leaves(self) -> list[Code]:
        """The codes statements are coded to, in file order."""
        parents = self.parents
        return [c for c in self.codes if c.id not in parents]

    def code(self, code_id: str) -> Code:
        for code in self.codes:
            if code.id == code_id:
                return code
        raise KeyError(code_id)

    def without(self, code_id: str) -> Codebook:
        """The same codebook with one code taken out (to check what the coders do without it)."""
        return self.model_copy(update={"codes": [c for c in self.codes if c.id != code_id]})
