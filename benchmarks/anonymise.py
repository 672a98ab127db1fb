"""Anonymisation speed against spaCy's own pipeline over the same text, measured side by side in one run.

    python -m benchmarks.anonymise [--repeat 3]

The target: anonymising the whole review_week sample takes less than twice the time of running the bundled
spaCy pipeline (all its components) over the same turns.
"""

from __future__ import annotations

import argparse

import spacy

from benchmarks.figures import Figure, print_figures
from benchmarks.timing import best_of
from qualcode.anonymise.detector import Detector
from qualcode.anonymise.gate import Anonymiser
from qualcode.anonymise.pseudonyms import Pseudonyms
from qualcode.ingest import READERS, inbox_files, parse_file
from qualcode.nlp import DEFAULT_SPACY_MODEL
from qualcode.samples import samples_dir


def measure(repeat: int = 3) -> list[Figure]:
    files = [p for p in inbox_files(samples_dir() / "review_week") if p.name != "README.md" and p.suffix in READERS]
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
    bare = best_of(spacy_pipeline, repeat)
    gate = best_of(anonymise, repeat)
    group = f"anonymise review_week ({chars:,} chars)"
    return [Figure(group, "spaCy nlp.pipe, all components (bare)", chars / bare, "chars/s", 1.0, "bare"),
            Figure(group, "qualcode anonymisation gate", chars / gate, "chars/s", bare / gate, "bare",
                   ">= 0.50x bare (under 2x the time)", gate < 2 * bare)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each measurement")
    print_figures(measure(parser.parse_args().repeat))


if __name__ == "__main__":
    main()
