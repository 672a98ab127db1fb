"""Agreement of the coding engine with the hand-coded gold sets: the figures in the README's Coding section.

    python -m benchmarks.agreement [--fast]

For each framework: zero-shot (codebook only) macro F1 and top-3 recall; trained on every other gold
statement and scored on the rest; valence accuracy (lines of enquiry); and calibration (how often a code
given a confidence in each band was right). `--fast` scores the fast path (the distilled static model).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.figures import Figure
from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders import CodingEngine, Embedder
from qualcode.coders.project_coding import lemma_pipeline
from qualcode.evaluation import compare, top_k_recall
from qualcode.samples import samples_dir

FRAMEWORKS = (("peer_review_evaluation", "evaluation_gold.csv"),
              ("safeguarding_lines_of_enquiry", "review_week_gold.csv"))
BANDS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01))


@dataclass(frozen=True)
class Agreement:
    codebook: str
    statements: int
    zero_shot: pd.Series  # the overall row of `compare`
    top3: float
    trained: float  # macro F1 on the half not trained on
    trained_cv: float  # cross-validated on the half trained on
    valence: float | None
    calibration: str


def agreement(embedder: Embedder, codebook_name: str, gold_name: str) -> Agreement:
    book = load_codebook(resolve_codebook_path(codebook_name))
    gold = pd.read_csv(samples_dir().parent / "gold" / gold_name, dtype=str, keep_default_na=False)
    statements = gold.drop_duplicates("id")[["id", "text", "question"]].reset_index(drop=True)
    engine = CodingEngine(book, embedder, lemma_pipeline()).fit()
    coded = engine.code(statements, top_k=3)
    half = set(statements["id"].iloc[::2])
    rest = statements[~statements["id"].isin(half)].reset_index(drop=True)
    trained = CodingEngine(book, embedder, lemma_pipeline()).fit(gold[gold["id"].isin(half)])
    scored = compare(gold[gold["id"].isin(rest["id"])], trained.code(rest), engine.code_ids_).iloc[-1]
    assert trained.training_agreement_ is not None
    valence = None
    if engine.valence_ is not None and "valence" in gold.columns:
        labelled = gold.drop_duplicates("id").set_index("id")["valence"]
        labelled = labelled[labelled != ""]
        vectors = engine.embed(statements[statements["id"].isin(labelled.index)].reset_index(drop=True))
        valence = float(np.mean(np.array(engine.valence_.predict(vectors)) == labelled.to_numpy()))
    confidence, _, _ = engine.confidences(statements)
    truth = np.zeros_like(confidence, dtype=bool)
    row = {s: i for i, s in enumerate(statements["id"])}
    column = {c: i for i, c in enumerate(engine.code_ids_)}
    for statement, code in zip(gold["id"], gold["code_id"], strict=True):
        if code in column:
            truth[row[statement], column[code]] = True
    bands = []
    for low, high in BANDS:
        inside = (confidence >= low) & (confidence < high)
        bands.append(f"{low:.1f}-{min(high, 1):.1f}: {truth[inside].mean():.2f} (n={inside.sum()})")
    return Agreement(f"{book.name} {book.version}", len(statements), compare(gold, coded, engine.code_ids_).iloc[-1],
                     top_k_recall(gold, coded, 3), float(scored["macro_f1"]),
                     float(trained.training_agreement_.iloc[-1]["macro_f1"]), valence, "; ".join(bands))


def measure() -> list[Figure]:
    """Both paths on both gold sets, the fast path as a difference from the default."""
    figures = []
    for codebook_name, gold_name in FRAMEWORKS:
        default, fast = (agreement(Embedder(backend=b), codebook_name, gold_name) for b in ("transformer", "static"))
        group = f"agreement, {codebook_name} gold ({default.statements})"
        for label, a in (("default path", default), ("fast path", fast)):
            zero = float(a.zero_shot["macro_f1"])
            gap = zero - float(default.zero_shot["macro_f1"])
            figures += [Figure(group, f"zero-shot macro F1, {label}", zero, "macro F1",
                               target="" if a is default else f"within 0.05 of default ({gap:+.2f})",
                               met=None if a is default else gap >= -0.05),
                        Figure(group, f"zero-shot top-3 recall, {label}", a.top3, "recall"),
                        Figure(group, f"trained on half, macro F1 on the rest, {label}", a.trained, "macro F1")]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="score the fast path (static model)")
    args = parser.parse_args()
    embedder = Embedder(backend="static" if args.fast else "transformer")
    for codebook_name, gold_name in FRAMEWORKS:
        a = agreement(embedder, codebook_name, gold_name)
        zero = a.zero_shot
        print(f"{a.codebook}: {a.statements} gold statements ({embedder.name})")
        print(f"  zero-shot      macro F1 {zero['macro_f1']:.2f}  micro F1 {zero['f1']:.2f}  "
              f"kappa {zero['kappa']:.2f}  alpha {zero['alpha']:.2f}  top-3 recall {a.top3:.2f}")
        print(f"  trained (half) macro F1 {a.trained:.2f} on the other half; cross-validated on its "
              f"own half {a.trained_cv:.2f}")
        if a.valence is not None:
            print(f"  valence accuracy {a.valence:.2f}")
        print("  calibration (share right by confidence band): " + a.calibration)


if __name__ == "__main__":
    main()
