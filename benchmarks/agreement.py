"""Agreement of the coding engine with the hand-coded gold sets: the figures in the README's Coding section.

    python -m benchmarks.agreement

For each framework: zero-shot (codebook only) macro F1 and top-3 recall; trained on every other gold
statement and scored on the rest; valence accuracy (lines of enquiry); and calibration (how often a code
given a confidence in each band was right).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders import CodingEngine, Embedder
from qualcode.coders.project_coding import lemma_pipeline
from qualcode.evaluation import compare, top_k_recall
from qualcode.samples import samples_dir

FRAMEWORKS = (("peer_review_evaluation", "evaluation_gold.csv"),
              ("safeguarding_lines_of_enquiry", "review_week_gold.csv"))
BANDS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01))


def main() -> None:
    embedder = Embedder()
    gold_dir = samples_dir().parent / "gold"
    for codebook_name, gold_name in FRAMEWORKS:
        book = load_codebook(resolve_codebook_path(codebook_name))
        gold = pd.read_csv(gold_dir / gold_name, dtype=str, keep_default_na=False)
        statements = gold.drop_duplicates("id")[["id", "text", "question"]].reset_index(drop=True)
        engine = CodingEngine(book, embedder, lemma_pipeline()).fit()
        coded = engine.code(statements, top_k=3)
        zero = compare(gold, coded, engine.code_ids_).iloc[-1]
        print(f"{book.name} {book.version}: {len(statements)} gold statements")
        print(f"  zero-shot      macro F1 {zero['macro_f1']:.2f}  micro F1 {zero['f1']:.2f}  "
              f"kappa {zero['kappa']:.2f}  alpha {zero['alpha']:.2f}  top-3 recall "
              f"{top_k_recall(gold, coded, 3):.2f}")
        half = set(statements["id"].iloc[::2])
        rest = statements[~statements["id"].isin(half)].reset_index(drop=True)
        trained = CodingEngine(book, embedder, lemma_pipeline()).fit(gold[gold["id"].isin(half)])
        scored = compare(gold[gold["id"].isin(rest["id"])], trained.code(rest), engine.code_ids_).iloc[-1]
        assert trained.training_agreement_ is not None
        print(f"  trained (half) macro F1 {scored['macro_f1']:.2f} on the other half; cross-validated on its "
              f"own half {trained.training_agreement_.iloc[-1]['macro_f1']:.2f}")
        if engine.valence_ is not None and "valence" in gold.columns:
            labelled = gold.drop_duplicates("id").set_index("id")["valence"]
            labelled = labelled[labelled != ""]
            vectors = engine.embed(statements[statements["id"].isin(labelled.index)].reset_index(drop=True))
            predicted = engine.valence_.predict(vectors)
            print(f"  valence accuracy {np.mean(np.array(predicted) == labelled.to_numpy()):.2f} "
                  f"({len(labelled)} statements)")
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
        print("  calibration (share right by confidence band): " + "; ".join(bands))


if __name__ == "__main__":
    main()
