"""Anonymisation speed against spaCy's own pipeline over the same text, measured side by side in one run.

    python -m benchmarks.anonymise [--repeat 3]

The target: anonymising the whole review_week sample takes less than twice the time of running the bundled
spaCy pipeline (all its components) over the same turns.
"""

from __future__ import annotations

import argparse

import spacy

from benchmarks.timing import best_of
from qualcode.anonymise.detector import Detector
from qualcode.anonymise.gate import Anonymiser
from qualcode.anonymise.pseudonyms import Pseudonyms
from qualcode.ingest import inbox_files, parse_file
from qualcode.nlp import DEFAULT_SPACY_MODEL
from qualcode.samples import samples_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each measurement")
    args = parser.parse_args()

    files = [p for p in inbox_files(samples_dir() / "review_week") if p.name != "README.md"]
    parsed = [parse_file(p, p.read_bytes()) for p in files]
    texts = [[turn.text for turn in one.turns] for one in parsed]
    chars = sum(len(t) for group in texts for t in group)
    nlp = spacy.load(DEFAULT_SPACY_MODEL)
    detector = Detector()

    def spacy_pipeline() -> None:
        for group in texts:
            list(nlp.pipe(group, batch_size=32))

    def anonymise() -> None:
        gate = Anonymiser(detector, Pseudonyms(b"benchmark"))
        for group in texts:
            gate.find(group)

    spacy_pipeline()
    anonymise()  # warm up both
    timings = {"spaCy pipeline (all components)": best_of(spacy_pipeline, args.repeat),
               "qualcode anonymisation": best_of(anonymise, args.repeat)}
    base = timings["spaCy pipeline (all components)"]
    print(f"review_week: {len(files)} sources, {chars:,} characters; best of {args.repeat}")
    print(f"{'measurement':<34}{'seconds':>10}{'chars/s':>14}{'vs spaCy':>10}")
    for name, seconds in timings.items():
        print(f"{name:<34}{seconds:>10.3f}{chars / seconds:>14,.0f}{seconds / base:>9.2f}x")
    met = timings["qualcode anonymisation"] < 2 * base
    print(f"target: anonymisation < 2.00x spaCy -> {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
