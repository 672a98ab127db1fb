"""The nightly flow's incremental cost: a full first run, an unchanged rerun, and a new day of 8 sources.

    python -m benchmarks.nightly

All runs go through the real Prefect flow in one process (the project's own Prefect API is started once, and
a warm-up run on an empty project is made; both are timed separately). Before each timed run the models are
dropped from memory, so every run pays what a fresh nightly process pays for the models it needs. Sources: the
36 sample sources (review week and evaluation): the full run ingests and codes all 36; the new day adds 8
evaluation interviews to a project that already holds the other 28. Targets: unchanged rerun under 10% of the
full run, new day under 40%.

Then as whole processes, the way the off-site peer's scheduler runs it: `qualcode nightly` on the bundled review
week (every day in the inbox), first run and unchanged rerun. Target: the rerun at most 0.15x the first run (it
decides "nothing new" from hashes and digests before any model or server starts).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.figures import Figure, print_figures
from benchmarks.timing import timed_process
from qualcode.flows.environment import use_project_prefect
from qualcode.nlp import lemma_pipeline, ner_pipeline, sentence_pipeline
from qualcode.project import init_project
from qualcode.samples import samples_dir, week_nights

NEW_DAY = 8


def _sources() -> tuple[list[Path], list[Path]]:
    """(the 28 sources of the existing project, the 8 of the new day), as paths under the samples."""
    samples = samples_dir()
    week = sorted(p for p in (samples / "review_week").glob("day*/*") if p.name != "manifest.csv")
    evaluation = sorted(p for p in (samples / "evaluation").iterdir() if p.name not in ("README.md", "manifest.csv"))
    return week + evaluation[:-NEW_DAY], evaluation[-NEW_DAY:]


def _fill(inbox: Path, files: list[Path]) -> None:
    for path in files:
        folder = inbox / path.parent.name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, folder / path.name)
        manifest = path.parent / "manifest.csv"
        if manifest.exists() and not (folder / "manifest.csv").exists():
            shutil.copy2(manifest, folder / "manifest.csv")


def measure() -> list[Figure]:
    work = Path(tempfile.mkdtemp(prefix="qualcode-bench-nightly-"))
    started = time.perf_counter()
    use_project_prefect(work)  # starts the project's own Prefect API on loopback
    api = time.perf_counter() - started
    from qualcode.flows import tasks
    from qualcode.flows.nightly_review import nightly_review

    def timed(root: Path) -> float:
        for cached in (tasks._engine, sentence_pipeline, ner_pipeline, lemma_pipeline):
            cached.cache_clear()  # every run pays for the models it needs, as a fresh nightly process does
        start = time.perf_counter()
        nightly_review(project_dir=str(root), day="2026-06-30")
        return time.perf_counter() - start

    old, new = _sources()
    start = time.perf_counter()
    nightly_review(project_dir=str(init_project(work / "warm-up").root), day="2026-06-30")
    server = time.perf_counter() - start

    full = init_project(work / "full").root
    _fill(full / "inbox", old + new)
    full_s = timed(full)
    rerun_s = timed(full)

    day = init_project(work / "day").root
    _fill(day / "inbox", old)
    timed(day)
    _fill(day / "inbox", new)
    day_s = timed(day)

    shutil.rmtree(work, ignore_errors=True)
    group = f"nightly flow ({len(old) + len(new)} sample sources)"
    return [Figure(group, "project's Prefect API start (once per process)", api, "s"),
            Figure(group, "warm-up run on an empty project (once per process)", server, "s"),
            Figure(group, "full first run", full_s, "s", 1.0, "full"),
            Figure(group, "unchanged rerun", rerun_s, "s", rerun_s / full_s, "full", "< 0.10x full",
                   rerun_s / full_s < 0.10),
            Figure(group, f"new day: {len(new)} sources into {len(old)}", day_s, "s", day_s / full_s, "full",
                   "< 0.40x full", day_s / full_s < 0.40)]


def measure_processes() -> list[Figure]:
    """`qualcode nightly` as a process: a first run over the bundled week, then an unchanged one."""
    from benchmarks.realdata import real_interviews
    from benchmarks.startup import qualcode_command

    work = Path(tempfile.mkdtemp(prefix="qualcode-bench-nightly-process-"))
    week = samples_dir() / "review_week"
    root = init_project(work / "week").root
    shutil.copyfile(week / "hypotheses.yaml", root / "hypotheses.yaml")
    for folder in (folder for night in week_nights(week) for folder in night):
        shutil.copytree(folder, root / "inbox" / folder.name)

    def run() -> float:
        return timed_process([*qualcode_command(), "nightly", str(root), "--date", "2026-03-12"])

    first, unchanged = run(), run()
    group = "qualcode nightly as a process (bundled review week)"
    figures = [Figure(group, "first run", first, "s", 1.0, "first"),
               Figure(group, "unchanged rerun", unchanged, "s", unchanged / first, "first", "<= 0.15x first",
                      unchanged / first <= 0.15)]
    interviews = real_interviews()
    if interviews:  # ingest, code and report, with the default encoder, in one command
        real = init_project(work / "real").root
        for path in interviews:
            shutil.copy(path, real / "inbox" / path.name)
        seconds = timed_process([*qualcode_command(), "nightly", str(real)])
        figures.append(Figure(f"qualcode nightly as a process ({len(interviews)} real interviews, Côté et al.)",
                              "end to end: ingest, code, report", seconds, "s", target="< 120 s",
                              met=seconds < 120))
    shutil.rmtree(work, ignore_errors=True)
    return figures


def main() -> None:
    print_figures([*measure(), *measure_processes()])


if __name__ == "__main__":
    main()
