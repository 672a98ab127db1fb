"""Evidence: matrices, hypothesis tests and the daily delta, as pure functions over DataFrames.

Loaded on first use, so reading a project's settings (`evidence.settings`) does not import the analysis.
"""

from typing import TYPE_CHECKING

from qualcode.lazy import lazy_attributes

_LAZY = {
    **dict.fromkeys(("Analysis", "analyse"), "qualcode.evidence.analysis"),
    **dict.fromkeys(("Delta", "daily_delta"), "qualcode.evidence.delta"),
    **dict.fromkeys(("HYPOTHESES_NAME", "Hypothesis", "HypothesisSet", "load_hypotheses"),
                    "qualcode.evidence.hypotheses"),
    **dict.fromkeys(("framework_matrix", "matrix_counts"), "qualcode.evidence.matrix"),
    **dict.fromkeys(("best_quotes", "cite"), "qualcode.evidence.quotes"),
    **dict.fromkeys(("EvidenceConfig", "StatusRule"), "qualcode.evidence.settings"),
    **dict.fromkeys(("coded_statements", "segments_as_of"), "qualcode.evidence.statements"),
    **dict.fromkeys(("decide_status", "describe_rule"), "qualcode.evidence.status"),
    **dict.fromkeys(("hypothesis_evidence", "hypothesis_quotes", "hypothesis_summary"),
                    "qualcode.evidence.weighing"),
}

if TYPE_CHECKING:
    from qualcode.evidence.analysis import Analysis, analyse
    from qualcode.evidence.delta import Delta, daily_delta
    from qualcode.evidence.hypotheses import HYPOTHESES_NAME, Hypothesis, HypothesisSet, load_hypotheses
    from qualcode.evidence.matrix import framework_matrix, matrix_counts
    from qualcode.evidence.quotes import best_quotes, cite
    from qualcode.evidence.settings import EvidenceConfig, StatusRule
    from qualcode.evidence.statements import coded_statements, segments_as_of
    from qualcode.evidence.status import decide_status, describe_rule
    from qualcode.evidence.weighing import hypothesis_evidence, hypothesis_quotes, hypothesis_summary

__getattr__ = lazy_attributes(__name__, _LAZY)

__all__ = ["HYPOTHESES_NAME", "Analysis", "Delta", "EvidenceConfig", "Hypothesis", "HypothesisSet", "StatusRule",
           "analyse", "best_quotes", "cite", "coded_statements", "daily_delta", "decide_status", "describe_rule",
           "framework_matrix", "hypothesis_evidence", "hypothesis_quotes", "hypothesis_summary", "load_hypotheses",
           "matrix_counts", "segments_as_of"]
