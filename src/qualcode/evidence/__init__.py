"""Evidence: matrices, hypothesis tests and the daily delta, as pure functions over DataFrames."""

from qualcode.evidence.analysis import Analysis, analyse
from qualcode.evidence.delta import Delta, daily_delta
from qualcode.evidence.hypotheses import HYPOTHESES_NAME, Hypothesis, HypothesisSet, load_hypotheses
from qualcode.evidence.matrix import framework_matrix, matrix_counts
from qualcode.evidence.quotes import best_quotes, cite
from qualcode.evidence.settings import EvidenceConfig, StatusRule
from qualcode.evidence.statements import coded_statements, segments_as_of
from qualcode.evidence.status import decide_status, describe_rule
from qualcode.evidence.weighing import hypothesis_evidence, hypothesis_quotes, hypothesis_summary

__all__ = ["HYPOTHESES_NAME", "Analysis", "Delta", "EvidenceConfig", "Hypothesis", "HypothesisSet", "StatusRule",
           "analyse", "best_quotes", "cite", "coded_statements", "daily_delta", "decide_status", "describe_rule",
           "framework_matrix", "hypothesis_evidence", "hypothesis_quotes", "hypothesis_summary", "load_hypotheses",
           "matrix_counts", "segments_as_of"]
