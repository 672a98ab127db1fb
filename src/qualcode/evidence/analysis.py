"""Everything the morning briefing shows, computed from plain DataFrames as of one day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from qualcode.codebook.model import Codebook
from qualcode.evidence.hypotheses import HypothesisSet
from qualcode.evidence.matrix import framework_matrix
from qualcode.evidence.settings import Case, EvidenceConfig
from qualcode.evidence.statements import coded_statements, segments_as_of
from qualcode.evidence.weighing import hypothesis_evidence, hypothesis_quotes, hypothesis_summary, review_list
from qualcode.models import DOCUMENT
from qualcode.schemas import SEGMENTS, STORED_CODINGS


@dataclass(frozen=True)
class Analysis:
    """The evidence as it stood on `as_of`: the statements known then, how they were coded, what they show."""

    as_of: dt.date
    segments: pd.DataFrame
    statements: pd.DataFrame
    evidence: pd.DataFrame
    summary: pd.DataFrame
    hypothesis_quotes: pd.DataFrame
    review_list: pd.DataFrame = field(default_factory=pd.DataFrame)
    matrices: dict[Case, pd.DataFrame] = field(default_factory=dict)
    matrix_quotes: dict[Case, pd.DataFrame] = field(default_factory=dict)
    documents: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def spoken(self) -> pd.DataFrame:
        """The statements known, the documents' aside: who has been heard."""
        return self.segments[self.segments["source_type"] != DOCUMENT]


def analyse(segments: pd.DataFrame, sources: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook,
            hypotheses: HypothesisSet, config: EvidenceConfig, as_of: dt.date, cases: list[Case] | None = None,
            known_sources: set[str] | None = None) -> Analysis:
    """Chart and weigh the evidence known on `as_of`. The documents' statements (source type `document`: the
    council's self-evaluation, board minutes) are not voices: they are kept apart as `documents`, never weighed
    into a verdict or a matrix (`qualcode.prereview` sets them beside the verdicts).

    Args:
        segments: `Store.segments()`; sources: `Store.sources()`; codings: `Store.codings()` of the current
            coding digest, people's decisions laid over them (`qualcode.review.current_codings`).
        cases: the matrices to build (default: `config.cases`; [] for none, e.g. for yesterday's view).
        known_sources: the sources known then, when a report recorded them (a source ingested late but dated
            early was not known to the report of its date); default: those dated on or before `as_of`.
    """
    SEGMENTS.check(segments, "evidence input")
    STORED_CODINGS.check(codings, "evidence input")
    known = (segments[segments["source_id"].isin(known_sources)].reset_index(drop=True)
             if known_sources is not None else segments_as_of(segments, sources, as_of))
    coded = coded_statements(known, codings)
    written = coded["source_type"].eq(DOCUMENT)
    statements, documents = coded[~written].reset_index(drop=True), coded[written].reset_index(drop=True)
    evidence = hypothesis_evidence(statements, hypotheses, codebook, config.status)
    codes = [c.id for c in codebook.leaves]
    built = {case: framework_matrix(statements, case, codes, config.quotes_per_cell)
             for case in (config.cases if cases is None else cases)}
    summary = hypothesis_summary(evidence, hypotheses, config.status, config.expected_agencies)
    return Analysis(
        as_of=as_of, segments=known, statements=statements, evidence=evidence, summary=summary,
        hypothesis_quotes=hypothesis_quotes(evidence, config.quotes_per_side),
        review_list=review_list(evidence, summary, config.review_per_hypothesis),
        matrices={case: matrix for case, (matrix, _) in built.items()},
        matrix_quotes={case: quotes for case, (_, quotes) in built.items()},
        documents=documents)
