"""Agreement figures checked against hand-computed and scikit-learn/krippendorff values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

from qualcode.evaluation import OVERALL, compare, top_k_recall

GOLD = pd.DataFrame({"segment_id": ["1", "2", "3", "4", "4", "5"],
                     "code_id": ["a", "a", "b", "a", "b", ""]})


def test_identical_codings_agree_perfectly() -> None:
    table = compare(GOLD, GOLD).set_index("code_id")
    assert table.loc["a", "f1"] == 1.0 and table.loc["a", "kappa"] == 1.0
    assert table.loc["b", "alpha"] == pytest.approx(1.0)
    assert table.loc[OVERALL, "macro_f1"] == 1.0


def test_disagreement_matches_reference_implementations() -> None:
    other = pd.DataFrame({"segment_id": ["1", "2", "3", "5", "5"], "code_id": ["a", "b", "b", "a", "b"],
                          "assigned": [True, True, True, True, False]})
    table = compare(GOLD, other, ["a", "b"]).set_index("code_id")
    gold_a, other_a = np.array([1, 1, 0, 1, 0]), np.array([1, 0, 0, 0, 1])
    gold_b, other_b = np.array([0, 0, 1, 1, 0]), np.array([0, 1, 1, 0, 0])
    assert table.loc["a", "precision"] == pytest.approx(0.5) and table.loc["a", "recall"] == pytest.approx(1 / 3)
    assert table.loc["a", "f1"] == pytest.approx(f1_score(gold_a, other_a))
    assert table.loc["b", "kappa"] == pytest.approx(cohen_kappa_score(gold_b, other_b))
    assert table.loc[OVERALL, "macro_f1"] == pytest.approx((f1_score(gold_a, other_a) + f1_score(gold_b, other_b)) / 2)
    assert table.loc[OVERALL, "support"] == 5 and table.loc[OVERALL, "predicted"] == 4  # unassigned row ignored


def test_top_k_recall_counts_codes_among_the_most_confident() -> None:
    ranked = pd.DataFrame({"segment_id": ["1", "1", "3", "3", "4", "4"], "code_id": ["b", "a", "a", "c", "a", "c"],
                           "confidence": [0.9, 0.8, 0.7, 0.6, 0.9, 0.1]})
    # gold pairs: 1a (rank 2), 2a (absent), 3b (absent), 4a (rank 1), 4b (absent)
    assert top_k_recall(GOLD, ranked, k=1) == pytest.approx(1 / 5)
    assert top_k_recall(GOLD, ranked, k=2) == pytest.approx(2 / 5)
