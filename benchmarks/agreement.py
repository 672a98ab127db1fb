"""Agreement of the coding engine with the hand-coded gold sets: the figures in the README's Coding section.

    python -m benchmarks.agreement [--fast]

For each framework the engine codes the whole sample corpus, each statement read in its answer, and is
scored on the gold statements: zero-shot (codebook only) macro F1 and top-3 recall; trained on the gold
statements of every other source and scored on the rest; valence accuracy (lines of enquiry); and
calibration (how often a code given a confidence in each band was right). `--fast` scores the fast path
(the distilled static model).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.figures import Figure
from benchmarks.samples import sample_statements
from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders import CodingEngine, Embedder
from qualcode.evaluation import compare, top_k_recall
from qualcode.nlp import lemma_pipeline
from qualcode.samples import samples_dir

FRAMEWORKS = (("peer_review_evaluation", "evaluation_gold.csv", "evaluation"),
              ("safeguarding_lines_of_enquiry", "review_week_gold.csv", "review_week"))
BANDS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01))


@dataclass(frozen=True)
class Agreement:
    codebook: str
    statements: int
    zero_shot: pd.Series  # the overall row of `compare`
    top3: float
    trained: float  # macro F1 on the sources not trained on
    untrained: float  # zero-shot macro F1 on those same statements, for comparison
    trained_cv: float  # cross-validated on the sources trained on
    valence: float | None
    calibration: str


def agreement(embedder: Embedder, codebook_name: str, gold_name: str, corpus: str) -> Agreement:
    """The engine codes the whole sample corpus, as it would a project's store (each statement read in its
    whole answer), and is scored on the gold statements. Trained: on the gold statements of every other
    source, scored on the rest, so no interview is both learned from and scored."""
    book = load_codebook(resolve_codebook_path(codebook_name))
    gold = pd.read_csv(samples_dir().parent / "gold" / gold_name, dtype=str, keep_default_na=False)
    everything = sample_statements((corpus,))
    statements = everything[everything["segment_id"].isin(gold["segment_id"])].reset_index(drop=True)
    texts = gold.drop_duplicates("segment_id").set_index("segment_id")["text"]
    stored = _unnumbered(statements["text"])
    if len(statements) != len(texts) or (_unnumbered(texts[statements["segment_id"]]) != stored).any():
        raise SystemExit(f"{gold_name} no longer matches the {corpus} sample's statements: rebuild the gold set")
    engine = CodingEngine(book, embedder, lemma_pipeline()).fit()
    coded = engine.code(everything, top_k=3)
    sources = sorted(set(statements["source_id"]))
    learned = set(statements["segment_id"][statements["source_id"].isin(sources[::2])])
    held_out = gold[~gold["segment_id"].isin(learned)]
    trained = CodingEngine(book, embedder, lemma_pipeline()).fit(gold[gold["segment_id"].isin(learned)], everything)
    assert trained.training_agreement_ is not None
    own, vectors = engine.read(everything)
    at = everything.reset_index(drop=True).reset_index().set_index("segment_id")["index"]
    valence = None
    if engine.valence_ is not None and "valence" in gold.columns:
        labelled = gold.drop_duplicates("segment_id").set_index("segment_id")["valence"]
        labelled = labelled[labelled != ""]
        predicted = engine.valence_.predict(own[at[labelled.index].to_numpy()])
        valence = float(np.mean(np.array(predicted) == labelled.to_numpy()))
    confidence, _ = engine.confidences(everything, vectors)
    confidence = confidence[at[statements["segment_id"]].to_numpy()]
    truth = np.zeros_like(confidence, dtype=bool)
    row = {s: i for i, s in enumerate(statements["segment_id"])}
    column = {c: i for i, c in enumerate(engine.code_ids_)}
    for statement, code in zip(gold["segment_id"], gold["code_id"], strict=True):
        if code in column:
            truth[row[statement], column[code]] = True
    bands = []
    for low, high in BANDS:
        inside = (confidence >= low) & (confidence < high)
        bands.append(f"{low:.1f}-{min(high, 1):.1f}: {truth[inside].mean():.2f} (n={inside.sum()})")
    return Agreement(f"{book.name} {book.version}", len(statements), compare(gold, coded, engine.code_ids_).iloc[-1],
                     top_k_recall(gold, coded, 3),
                     float(compare(held_out, trained.code(everything), engine.code_ids_).iloc[-1]["macro_f1"]),
                     float(compare(held_out, coded, engine.code_ids_).iloc[-1]["macro_f1"]),
                     float(trained.training_agreement_.iloc[-1]["macro_f1"]), valence, "; ".join(bands))


def _unnumbered(texts: pd.Series) -> np.ndarray:
    """Texts with pseudonyms' numbers dropped: those depend on the order a project met them in."""
    return texts.str.replace(r"\[([A-Z_]+?)_\d+\]", r"[\1]", regex=True).to_numpy()


def measure() -> list[Figure]:
    """Both paths on both gold sets, the fast path as a difference from the default."""
    figures = []
    for codebook_name, gold_name, corpus in FRAMEWORKS:
        default, fast = (agreement(Embedder(backend=b), codebook_name, gold_name, corpus)
                         for b in ("transformer", "static"))
        group = f"agreement, {codebook_name} gold ({default.statements})"
        for label, a in (("default path", default), ("fast path", fast)):
            zero = float(a.zero_shot["macro_f1"])
            gap = zero - float(default.zero_shot["macro_f1"])
            figures += [Figure(group, f"zero-shot macro F1, {label}", zero, "macro F1",
                               target="" if a is default else f"within 0.05 of default ({gap:+.2f})",
                               met=None if a is default else gap >= -0.05),
                        Figure(group, f"zero-shot top-3 recall, {label}", a.top3, "recall"),
                        Figure(group, f"trained on half the sources, macro F1 on the rest, {label}", a.trained,
                               "macro F1")]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true", help="score the fast path (static model)")
    args = parser.parse_args()
    embedder = Embedder(backend="static" if args.fast else "transformer")
    for codebook_name, gold_name, corpus in FRAMEWORKS:
        a = agreement(embedder, codebook_name, gold_name, corpus)
        zero = a.zero_shot
        print(f"{a.codebook}: {a.statements} gold statements ({embedder.name})")
        print(f"  zero-shot      macro F1 {zero['macro_f1']:.2f}  micro F1 {zero['f1']:.2f}  "
              f"kappa {zero['kappa']:.2f}  alpha {zero['alpha']:.2f}  top-3 recall {a.top3:.2f}")
        print(f"  trained on half the sources: macro F1 {a.trained:.2f} on the other half (zero-shot there "
              f"{a.untrained:.2f}); cross-validated on its own half {a.trained_cv:.2f}")
        if a.valence is not None:
            print(f"  valence accuracy {a.valence:.2f}")
        print("  calibration (share right by confidence band): " + a.calibration)


if __name__ == "__main__":
    main()
