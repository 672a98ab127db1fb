"""How the coding engine codes: settings a project's file names and the coding digest covers, importable without
loading scikit-learn or spaCy (deciding whether a night has anything to recode reads them)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_THRESHOLD = 0.35
TOP_THRESHOLD = 0.2  # the most likely code is assigned from this confidence; further codes need `threshold`


@dataclass
class EngineSettings:
    """How statements are coded.

    A statement is coded as it was said: read with the answer it belongs to and the question that drew it,
    as a person coding would read it ("So a health check, really." means nothing alone). On the gold sets
    this lifts zero-shot macro F1 by 0.04 to 0.06 (README: Codebooks and coding).

    Attributes:
        context_weight: how much the interviewer's question counts in a statement's embedding (0 = ignored).
        turn_weight: how much the answer it belongs to counts: the mean of that answer's statements, so it
            costs no further encoding (0 = ignored; statements without a `turn` are an answer of their own).
        threshold: confidence at which a code is assigned, unless the code sets its own.
        top_threshold: confidence at which a statement's most likely code is assigned.
    """

    context_weight: float = 0.5
    turn_weight: float = 1.0
    threshold: float = DEFAULT_THRESHOLD
    top_threshold: float = TOP_THRESHOLD
