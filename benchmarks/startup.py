"""Start-up cost: `python -c "import qualcode"` and `qualcode --help`, as whole processes, beside a bare interpreter.

    python -m benchmarks.startup [--repeat 5]

Each command runs as the user would run it, in a fresh process, `--repeat` times interleaved with the others
(after one untimed warm-up each, so the files are in the page cache); the median wall time is reported, as a
ratio of `python -c pass` (the interpreter's own start-up). Each command is then run once more with Python's
import profiler on (PYTHONPROFILEIMPORTTIME) to list the modules it loaded. Targets: `import qualcode` under
0.3 s, and neither command loads torch, spaCy, presidio or scikit-learn (they load on first use).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.figures import Figure, print_figures

HEAVY = ("torch", "spacy", "presidio_analyzer", "sklearn")
IMPORT_TARGET_S = 0.3


def qualcode_command() -> list[str]:
    """The `qualcode` console script beside this interpreter (the one its environment installed), else on PATH."""
    beside = Path(sys.executable).with_name("qualcode")
    found = str(beside) if beside.exists() else shutil.which("qualcode")
    if found is None:
        raise SystemExit("no `qualcode` console script beside this Python or on PATH: install qualcode first")
    return [found]


def commands() -> dict[str, list[str]]:
    return {"python -c pass (bare interpreter)": [sys.executable, "-c", "pass"],
            'python -c "import qualcode"': [sys.executable, "-c", "import qualcode"],
            "qualcode --help": [*qualcode_command(), "--help"]}


def shell_environment() -> dict[str, str]:
    """This environment without the network guard's variables, which a qualcode process sets for its
    children: a user's shell starts these commands without them."""
    return {k: v for k, v in os.environ.items() if not k.startswith("QUALCODE_OFFLINE_")}


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=shell_environment() if env is None else env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
    return done


def loaded_modules(command: list[str]) -> set[str]:
    """Every module the command imported, from `-X importtime`'s report (set through the environment, so a
    console script is profiled as it is)."""
    done = _run(command, env=shell_environment() | {"PYTHONPROFILEIMPORTTIME": "1"})
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name)
    return names


def heavy_loaded(modules: set[str]) -> list[str]:
    return [lib for lib in HEAVY if any(m == lib or m.startswith(lib + ".") for m in modules)]


def wall_times(runs: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """Median wall time of each command, the commands interleaved so a noisy spell falls on all of them."""
    for command in runs.values():
        _run(command)  # warm-up: the page cache
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, command in runs.items():
            start = time.perf_counter()
            _run(command)
            seconds[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in seconds.items()}


def measure(repeat: int = 5) -> list[Figure]:
    runs = commands()
    median = wall_times(runs, repeat)
    bare_name, import_name, help_name = runs
    bare = median[bare_name]
    group = f"start-up (whole processes, median of {repeat})"
    figures = [Figure(group, bare_name, bare, "s", 1.0, "bare")]
    for name, target_s in ((import_name, IMPORT_TARGET_S), (help_name, None)):
        figures.append(Figure(group, name, median[name], "s", median[name] / bare, "bare",
                              f"< {target_s} s" if target_s else "",
                              median[name] < target_s if target_s else None))
        heavy = heavy_loaded(loaded_modules(runs[name]))
        figures.append(Figure(group, f"{name}: of {', '.join(HEAVY)}, loaded: {', '.join(heavy) or 'none'}",
                              len(heavy), "libraries", target="none", met=not heavy))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each command (the median is reported)")
    print_figures(measure(parser.parse_args().repeat))


if __name__ == "__main__":
    main()
