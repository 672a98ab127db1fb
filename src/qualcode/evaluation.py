"""Agreement between two codings of the same statements: machine vs human, or two humans.

Per code: precision, recall, F1, support, Cohen's kappa and Krippendorff's alpha (nominal, on presence of
the code); overall: micro and macro F1 and mean kappa and alpha.
"""

from __future__ import annotations

import warnings

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from qualcode.errors import BadTableInput

OVERALL = "(overall)"


def agreement_table(reference: np.ndarray, other: np.ndarray, code_ids: list[str]) -> pd.DataFrame:
    """One row per code and a closing `(overall)` row: code_id, support, predicted, precision, recall, f1,
    kappa, alpha. `reference` and `other` are (statements x codes) booleans."""
    rows = []
    for j, code_id in enumerate(code_ids):
        ref, oth = reference[:, j], other[:, j]
        tp = int((ref & oth).sum())
        precision = tp / oth.sum() if oth.sum() else float("nan")
        recall = tp / ref.sum() if ref.sum() else float("nan")
        rows.append({"code_id": code_id, "support": int(ref.sum()), "predicted": int(oth.sum()),
                     "precision": precision, "recall": recall, "f1": _f1(precision, recall),
                     "kappa": _kappa(ref, oth), "alpha": _alpha(ref, oth)})
    table = pd.DataFrame(rows)
    tp, predicted, support = int((reference & other).sum()), int(other.sum()), int(reference.sum())
    micro_p = tp / predicted if predicted else float("nan")
    micro_r = tp / support if support else float("nan")
    scored = table[table["support"] > 0]
    overall = {"code_id": OVERALL, "support": support, "predicted": predicted, "precision": micro_p,
               "recall": micro_r, "f1": _f1(micro_p, micro_r), "kappa": scored["kappa"].mean(),
               "alpha": scored["alpha"].mean(), "macro_f1": scored["f1"].fillna(0.0).mean()}
    return pd.concat([table, pd.DataFrame([overall])], ignore_index=True)


def compare(gold: pd.DataFrame, predicted: pd.DataFrame, code_ids: list[str] | None = None) -> pd.DataFrame:
    """Agreement of `predicted` with `gold`, both long tables with columns `segment_id, code_id` (a statement with
    no code has an empty code_id; in `predicted`, rows whose `assigned` is false are ignored). The
    statements compared are those in `gold`."""
    for name, frame in (("gold", gold), ("predicted", predicted)):
        missing = {"segment_id", "code_id"} - set(frame.columns)
        if missing:
            raise BadTableInput(f"The {name} table lacks column(s) {', '.join(sorted(missing))}.")
    if "assigned" in predicted.columns:
        predicted = predicted[predicted["assigned"].astype(str).str.lower().isin(["true", "1"])]
    ids = list(dict.fromkeys(gold["segment_id"].astype(str)))
    codes = code_ids or sorted({c for c in gold["code_id"].dropna().astype(str) if c}
                               | {c for c in predicted["code_id"].dropna().astype(str) if c})
    return agreement_table(_matrix(gold, ids, codes), _matrix(predicted, ids, codes), codes)


def top_k_recall(gold: pd.DataFrame, ranked: pd.DataFrame, k: int = 3) -> float:
    """Share of the gold (statement, code) pairs whose code is among the statement's k most confident."""
    best = (ranked.sort_values("confidence", ascending=False).groupby(ranked["segment_id"].astype(str))["code_id"]
            .apply(lambda codes: set(list(codes)[:k])))
    pairs = gold[gold["code_id"].fillna("").astype(str) != ""]
    hits = [str(c) in best.get(str(i), set()) for i, c in zip(pairs["segment_id"], pairs["code_id"], strict=True)]
    return float(np.mean(hits)) if hits else float("nan")


def _matrix(frame: pd.DataFrame, ids: list[str], codes: list[str]) -> np.ndarray:
    position = {i: n for n, i in enumerate(ids)}
    column = {c: n for n, c in enumerate(codes)}
    matrix = np.zeros((len(ids), len(codes)), dtype=bool)
    for statement, code in zip(frame["segment_id"].astype(str), frame["code_id"].fillna("").astype(str), strict=True):
        if statement in position and code in column:
            matrix[position[statement], column[code]] = True
    return matrix


def _f1(precision: float, recall: float) -> float:
    if np.isnan(precision) or np.isnan(recall) or precision + recall == 0:
        return 0.0 if not (np.isnan(precision) and np.isnan(recall)) else float("nan")
    return 2 * precision * recall / (precision + recall)


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    if len(set(a.tolist()) | set(b.tolist())) < 2:
        return float("nan")
    return float(cohen_kappa_score(a, b))


def _alpha(a: np.ndarray, b: np.ndarray) -> float:
    if len(set(a.tolist()) | set(b.tolist())) < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(krippendorff.alpha(reliability_data=np.vstack([a, b]).astype(float),
                                        level_of_measurement="nominal"))
