"""Ingest throughput against bare spaCy over the same text, measured side by side in one run.

    python -m benchmarks.ingest [--repeat 3]

Prints characters per second for (a) spaCy's sentence pipeline alone over every turn of the samples, (b)
qualcode's segmentation of the same sources, and (c) a full `ingest` into a fresh store (reading, the
anonymisation gate with its NER pass, layout, segmentation, transactional write), each as a ratio of (a).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from benchmarks.figures import Figure, print_figures
from benchmarks.timing import best_of
from qualcode.nlp import sentence_pipeline
from qualcode.project import init_project
from qualcode.samples import samples_dir
from qualcode.segment import Segmenter
from qualcode.text import normalise
from qualcode.workspace.ingest import ingest_inbox, read_folder


def measure(repeat: int = 3) -> list[Figure]:
    samples = samples_dir()
    sources = [s for folder in ("review_week", "evaluation") for s in read_folder(samples / folder)]
    bodies = [normalise(s.text[t.start:t.end]) for s in sources for t in s.turns if not t.is_interviewer]
    chars = sum(len(b) for b in bodies)
    nlp = sentence_pipeline()
    segmenter = Segmenter(nlp)

    def bare() -> None:
        for doc in nlp.pipe(bodies, batch_size=64):
            list(doc.sents)

    def segmentation() -> None:
        for source in sources:
            segmenter.segment(source)

    def full_ingest() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            project = init_project(Path(tmp))
            for folder in ("review_week", "evaluation"):
                shutil.copytree(samples / folder, project.inbox / folder,
                                ignore=shutil.ignore_patterns("README.md", "hypotheses.yaml"))
            ingest_inbox(project, segmenter=segmenter)

    bare()  # warm up
    timings = {name: best_of(fn, repeat) for name, fn in
               (("spaCy nlp.pipe (bare)", bare), ("qualcode segmentation", segmentation),
                ("qualcode ingest (full)", full_ingest))}
    base = timings["spaCy nlp.pipe (bare)"]
    group = f"ingest {len(sources)} sample sources ({chars:,} chars)"
    return [Figure(group, name, chars / seconds, "chars/s", base / seconds, "bare")
            for name, seconds in timings.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each measurement")
    print_figures(measure(parser.parse_args().repeat))


if __name__ == "__main__":
    main()
