"""Ingest throughput against bare spaCy over the same text, measured side by side in one run.

    python -m benchmarks.ingest [--repeat 3]

Prints characters per second for (a) spaCy's sentence pipeline alone over every turn of the samples, (b)
qualcode's segmentation of the same sources, and (c) a full `ingest` into a fresh store (reading, the
anonymisation gate with its NER pass, layout, segmentation, transactional write), each as a ratio of (a).

Then as whole processes, the way a user runs them, over the 18 real interviews of `../shared/realdata/interviews/`
(Côté et al., "Quality issues in Machine Learning Software Systems"), or the samples where those are not here:
`qualcode ingest` with one worker and with every core, beside a script that only loads the NER pipeline and runs
`nlp.pipe` over the same lines on every core (`n_process`). Targets: ingest on every core at 0.5x or more of
bare `nlp.pipe`, and 1.7x or more faster than with one worker. The speed-up is measured again on 200 synthetic
sources (`qualcode synth`), where each process's start (imports, models: seconds) weighs less than on 18 files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.figures import Figure, print_figures
from benchmarks.timing import best_of, timed_process
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


BARE_NER = """
import sys
from qualcode.nlp import ner_pipeline
lines = [line for path in sys.argv[2:] for line in open(path, encoding="utf-8", errors="replace").read().splitlines()
         if line.strip()]
nlp = ner_pipeline()
for doc in nlp.pipe(lines, batch_size=64, n_process=int(sys.argv[1])):
    doc.ents
"""


def measure_processes() -> list[Figure]:
    """`qualcode ingest` on one worker and on every core, beside bare `nlp.pipe` with NER on every core."""
    from benchmarks.realdata import real_interviews
    from benchmarks.startup import qualcode_command
    from qualcode.cores import usable_cores

    files = real_interviews()
    material = f"{len(files)} real interviews"
    if not files:
        files = [p for p in sorted((samples_dir() / "evaluation").iterdir()) if p.suffix == ".txt"]
        material = f"{len(files)} sample interviews (../shared/realdata is not here)"
    cores = usable_cores()
    work = Path(tempfile.mkdtemp(prefix="qualcode-bench-ingest-"))

    def ingest(workers: int) -> float:
        root = init_project(work / f"workers-{workers}-{len(files)}").root
        for path in files:
            shutil.copy(path, root / "inbox" / path.name)
        return timed_process([*qualcode_command(), "ingest", str(root), "--workers", str(workers)])

    bare = timed_process([sys.executable, "-c", BARE_NER, str(cores), *map(str, files)])
    one, every = ingest(1), ingest(cores)
    group = f"ingest as a process ({material})"
    figures = [Figure(group, f"bare nlp.pipe with NER, {cores} processes", bare, "s", 1.0, "bare"),
               Figure(group, "qualcode ingest --workers 1", one, "s", bare / one, "bare"),
               Figure(group, f"qualcode ingest --workers {cores}", every, "s", bare / every, "bare", ">= 0.5x bare",
                      bare / every >= 0.5),
               Figure(group, f"speed-up of {cores} workers over 1", one / every, "x", one / every, "1 worker",
                      ">= 1.7x", one / every >= 1.7)]
    synthetic = work / "synthetic"
    timed_process([*qualcode_command(), "synth", "--sources", "200", "--out", str(synthetic)])
    files = [path for path in sorted(synthetic.rglob("*")) if path.is_file()]
    one, every = ingest(1), ingest(cores)
    group = "ingest as a process (200 synthetic sources)"
    figures += [Figure(group, "qualcode ingest --workers 1", one, "s", 1.0, "1 worker"),
                Figure(group, f"qualcode ingest --workers {cores}", every, "s", one / every, "1 worker", ">= 1.7x",
                       one / every >= 1.7)]
    shutil.rmtree(work, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each measurement")
    print_figures([*measure(parser.parse_args().repeat), *measure_processes()])


if __name__ == "__main__":
    main()
