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

from benchmarks.timing import best_of
from qualcode.ingest import inbox_files, ingest_inbox, read_source
from qualcode.nlp import sentence_pipeline
from qualcode.project import init_project
from qualcode.samples import samples_dir
from qualcode.segment import Segmenter
from qualcode.text import normalise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each measurement")
    args = parser.parse_args()

    samples = samples_dir()
    files = [p for folder in ("review_week", "evaluation") for p in inbox_files(samples / folder)
             if p.name != "README.md"]
    sources = [read_source(p, p.read_bytes(), name=p.name)[0] for p in files]
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
    timings = {name: best_of(fn, args.repeat) for name, fn in
               (("spaCy nlp.pipe (bare)", bare), ("qualcode segmentation", segmentation),
                ("qualcode ingest (full)", full_ingest))}
    base = timings["spaCy nlp.pipe (bare)"]
    print(f"{len(sources)} sources, {len(bodies)} interviewee turns, {chars:,} characters; best of {args.repeat}")
    print(f"{'measurement':<26}{'seconds':>10}{'chars/s':>14}{'time vs bare':>14}")
    for name, seconds in timings.items():
        print(f"{name:<26}{seconds:>10.3f}{chars / seconds:>14,.0f}{seconds / base:>13.2f}x")


if __name__ == "__main__":
    main()
