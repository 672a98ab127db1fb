"""What counts as identifying, and how each kind is written as a placeholder."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A placeholder as it stands in anonymised text: `[PERSON_3]`. Text is never cut inside one.
PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")

# Entity kinds qualcode detects, each with the prefix of its placeholders ([PERSON_3], [SCHOOL_1]).
KINDS: dict[str, str] = {
    "PERSON": "PERSON",
    "PLACE": "PLACE",
    "ADDRESS": "ADDRESS",
    "SCHOOL": "SCHOOL",
    "ORG": "ORG",
    "POSTCODE": "POSTCODE",
    "PHONE": "PHONE",
    "EMAIL": "EMAIL",
    "NHS_NUMBER": "NHS_NUMBER",
    "NI_NUMBER": "NI_NUMBER",
    "DATE_OF_BIRTH": "DOB",
    "AGE": "AGE",
    "HANDLE": "HANDLE",
    "CASE_REF": "CASE_REF",
    "VEHICLE": "VEHICLE",
}
STRUCTURED = frozenset({"POSTCODE", "PHONE", "EMAIL", "NHS_NUMBER", "NI_NUMBER", "DATE_OF_BIRTH", "CASE_REF",
                        "VEHICLE"})
# A finding this confident is looked for again in every later text of the project (the sweep); below it, the
# value is replaced where it was found and nowhere else, so a weak guess is never spread.
CONFIRMED = 0.8

# presidio's entity names for what its own recognisers and the spaCy NER find, mapped onto ours.
PRESIDIO_TO_KIND: dict[str, str] = {
    "PERSON": "PERSON",
    "LOCATION": "PLACE",
    "ORGANIZATION": "ORG",
    "UK_NHS": "NHS_NUMBER",
    "UK_NINO": "NI_NUMBER",
    "EMAIL_ADDRESS": "EMAIL",
    **{kind: kind for kind in KINDS},
}
# When two findings overlap, the more specific kind wins (a school is an ORG to spaCy, an address has a place).
PRIORITY: dict[str, int] = {
    "EMAIL": 10, "HANDLE": 10, "VEHICLE": 9, "NHS_NUMBER": 9, "NI_NUMBER": 9, "POSTCODE": 9, "PHONE": 8, "CASE_REF": 8,
    "DATE_OF_BIRTH": 8, "ADDRESS": 7, "SCHOOL": 6, "AGE": 5, "PERSON": 4, "ORG": 3, "PLACE": 2,
}


@dataclass(frozen=True, order=True)
class Finding:
    """An identifying span in one text; the value is never kept here, only where it is."""

    start: int
    end: int
    kind: str
    score: float = 1.0


def placeholder(kind: str, number: int) -> str:
    return f"[{KINDS[kind]}_{number}]"


def kind_of(place: str) -> str:
    """The kind a placeholder stands for: `[DOB_2]` -> DATE_OF_BIRTH."""
    prefix = place.strip("[]").rsplit("_", 1)[0]
    return next((kind for kind, p in KINDS.items() if p == prefix), prefix)
