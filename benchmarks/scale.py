"""End to end at programme scale: synthetic corpora of growing size, ingested, anonymised, coded and charted.

    python -m benchmarks.scale [--sizes 50 500 5000] [--backend transformer|static]

Each size runs in a fresh process, so its peak memory (RSS) is its own. The embedding cache is off: a
synthetic corpus repeats the samples' turns, and a cache would make the repeats free. Targets: peak memory
under 4 GB at 5,000 sources, and time per source at 5,000 no more than 1.3x that at 500.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.figures import Figure, print_figures

STAGES = ("ingest", "code", "report")


def run_project(root: Path) -> dict[str, float]:
    """The three stages of the nightly flow, called as the flow calls them, in this process."""
    import datetime as dt

    from qualcode.project import Project
    from qualcode.workspace.coding import code_project
    from qualcode.workspace.ingest import ingest_inbox
    from qualcode.workspace.reports import build_report

    project = Project.open(root)
    print(f"{root.name}: ingest, code, report", file=sys.stderr, flush=True)
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    report = ingest_inbox(project)
    seconds["ingest"] = time.perf_counter() - start
    start = time.perf_counter()
    coded = code_project(project)
    seconds["code"] = time.perf_counter() - start
    start = time.perf_counter()
    build_report(project, dt.date(2026, 11, 1))
    seconds["report"] = time.perf_counter() - start
    return seconds | {"sources": len(report.added), "set_aside": len(report.set_aside), "statements": coded,
                      "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's own peak RSS. Linux's `ru_maxrss` carries the parent's peak across fork and exec, so a
    child of a big parent would report the parent's; the memory map's high-water mark (VmHWM) is the child's."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextlib.contextmanager
def tree_memory(pid: int, every: float = 0.5) -> Iterator[list[float]]:
    """The highest sum of RSS over a process and all its children (ingest's workers among them), sampled every
    `every` seconds while the block runs: what the machine must hold at once, in MB."""
    import psutil

    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                root = psutil.Process(pid)
                total = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                peak[0] = max(peak[0], total / 2**20)
            except psutil.Error:
                pass
            done.wait(every)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def measure(size: int, backend: str, keep: Path | None = None) -> dict[str, float]:
    """Write a corpus of `size` sources into a new project and run it end to end in a child process."""
    from qualcode.project import CONFIG_NAME, init_project
    from qualcode.samples import samples_dir
    from qualcode.synth import write_corpus

    if backend != "transformer":  # the int8 or static model built once, before any timing
        from qualcode.coders import Embedder

        Embedder(backend=backend).encode(["built once"])  # type: ignore[arg-type]
    root = Path(tempfile.mkdtemp(prefix=f"qualcode-scale-{size}-", dir=keep))
    try:
        project = init_project(root, name=f"scale {size}")
        config = root / CONFIG_NAME
        config.write_text(config.read_text().replace("embedding_backend: transformer", f"embedding_backend: {backend}")
                          .replace("embedding_cache: true", "embedding_cache: false"))
        shutil.copyfile(samples_dir() / "review_week" / "hypotheses.yaml", root / "hypotheses.yaml")
        characters = write_corpus(project.inbox / "synthetic", size, seed=size)
        child = subprocess.Popen([sys.executable, "-m", "benchmarks.scale", "--run", str(root)],
                                 stdout=subprocess.PIPE, text=True)
        with tree_memory(child.pid) as peak:
            out, _ = child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"the {size}-source run failed (its error is above)")
        return json.loads(out.strip().splitlines()[-1]) | {"characters": characters, "peak_tree_mb": peak[0]}
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def figures(results: dict[int, dict[str, float]], backend: str) -> list[Figure]:
    """Time per source as a ratio of the 500-source run (or the smallest), and peak memory, at each size."""
    base_size = 500 if 500 in results else min(results)
    per_source = {size: sum(r[s] for s in STAGES) / size for size, r in results.items()}
    group = f"end to end on synthetic corpora ({backend} embeddings)"
    out = []
    for size, r in sorted(results.items()):
        ratio = per_source[size] / per_source[base_size]
        target = "<= 1.30x" if size > base_size else ""
        out += [Figure(group, f"{size:,} sources ({r['characters'] / 1e6:.1f}M chars, {r['statements']:,.0f} "
                              "statements): time per source", per_source[size], "s", ratio, f"{base_size:,}",
                       target, ratio <= 1.3 if target else None),
                Figure(group, f"{size:,} sources: peak memory (RSS), the run's own process", r["peak_rss_mb"], "MB"),
                Figure(group, f"{size:,} sources: peak memory (RSS), with its workers", r["peak_tree_mb"], "MB",
                       target="< 4,096 MB" if size >= 5000 else "",
                       met=r["peak_tree_mb"] < 4096 if size >= 5000 else None)]
    return out


def print_table(results: dict[int, dict[str, float]]) -> None:
    base_size = min(results)
    head = (f"{'sources':>8}{'chars (M)':>10}{'statements':>11}" + "".join(f"{s + ' s':>10}" for s in STAGES)
            + f"{'total s':>10}{'s/source':>10}{'vs ' + str(base_size):>9}{'peak RSS MB':>13}{'with workers':>15}")
    print(head)
    base = sum(results[base_size][s] for s in STAGES) / base_size
    for size, r in sorted(results.items()):
        total = sum(r[s] for s in STAGES)
        print(f"{size:>8}{r['characters'] / 1e6:>10.1f}{r['statements']:>11.0f}"
              + "".join(f"{r[s]:>10.1f}" for s in STAGES)
              + f"{total:>10.1f}{total / size:>10.3f}{total / size / base:>8.2f}x{r['peak_rss_mb']:>13.0f}"
              + f"{r['peak_tree_mb']:>15.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--backend", choices=["transformer", "int8", "static"], default="transformer")
    parser.add_argument("--run", type=Path, help=argparse.SUPPRESS)  # the child process's job
    args = parser.parse_args()
    if args.run is not None:
        print(json.dumps(run_project(args.run)))
        return
    results = {}
    for size in args.sizes:
        print(f"running {size} sources ({args.backend})...", file=sys.stderr, flush=True)
        results[size] = measure(size, args.backend)
    print(f"End to end (ingest + anonymise, code, report), embedding backend {args.backend}, cache off")
    print_table(results)
    print()
    print_figures(figures(results, args.backend))


if __name__ == "__main__":
    main()
