"""The learning curve: how many of a reviewer's corrections it takes for the morning verdicts to be right.

    python -m benchmarks.learning [--per-night 0 3 6 10] [--week FOLDER ...]

A simulated reviewer works each evening of a week through the briefing's review list: the top N statements per
hypothesis (`review_list`), each decided from the week's statement-level truth (`stance.yaml`, written apart from
the code: for each hypothesis, verbatim quotes and the side each falls on). A listed statement matching a quote of
that hypothesis (or, failing that, of another) is accepted with the valence its side means; one that bears on no
hypothesis is rejected. The decisions are imported as a person's (`Workspace.review_import`), so the machine
relearns from them and recodes, and the day's verdicts are then scored against `truth.yaml`. N = 0 is the machine
alone. "Corrections" counts the decisions that changed what the machine had said (a flipped valence or a rejected
code); the rest confirmed it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmarks.figures import Figure, print_figures
from benchmarks.verdicts import weeks
from qualcode.errors import BadHypotheses
from qualcode.evidence.hypotheses import HypothesisSet, load_hypotheses
from qualcode.evidence.truth import load_truth, score_verdicts
from qualcode.evidence.weighing import review_list
from qualcode.samples import week_nights
from qualcode.workspace import Workspace
from qualcode.workspace.ingest import copy_into_inbox
from qualcode.yamlfile import load_with_lines, strip_lines

STANCE = "stance.yaml"
REVIEWER = "simulated reviewer"
WORD = re.compile(r"[a-z0-9']+")
MATCH = 0.75  # share of the shorter text's words the other holds: a quote is a sentence or part of one


@dataclass(frozen=True)
class Quote:
    hypothesis_id: str
    source_id: str
    words: frozenset[str]
    side: str


def load_stance(path: Path) -> list[Quote]:
    raw = strip_lines(load_with_lines(path, BadHypotheses, "stance file"))
    return [Quote(h, str(q["source"]), frozenset(WORD.findall(str(q["quote"]).lower())), str(q["side"]))
            for h, quotes in raw["hypotheses"].items() for q in quotes or []]


def matches(quote: Quote, source_id: str, text: str) -> bool:
    """Whether a statement is (part of) the quoted sentence, or holds it: the gate may have replaced names."""
    words = frozenset(WORD.findall(text.lower()))
    shared = len(words & quote.words)
    return (quote.source_id == source_id and shared >= 3
            and shared >= MATCH * min(len(words), len(quote.words)))


def decide(row: pd.Series, quotes: list[Quote], hypotheses: HypothesisSet) -> dict[str, object]:
    """The truthful reviewer's decision on one review-list row."""
    mine = [q for q in quotes if matches(q, str(row["source_id"]), str(row["text"]))]
    best = [q for q in mine if q.hypothesis_id == row["hypothesis_id"]] or mine
    decision = {"segment_id": row["segment_id"], "code_id": row["code_id"], "decision": "reject", "valence": ""}
    if best:
        quote = best[0]
        hypothesis = next(h for h in hypotheses.hypotheses if h.id == quote.hypothesis_id)
        valence = {"support": hypothesis.supported_by, "contradict": hypothesis.contradicted_by}.get(
            quote.side, "neutral")
        decision |= {"decision": "accept", "valence": valence}
    decision["correction"] = decision["decision"] == "reject" or decision["valence"] != row["valence"]
    return decision


def run_week(week: Path, root: Path, per_night: int) -> tuple[pd.DataFrame, int, int]:
    """(each day's statuses, decisions made, corrections among them) with `per_night` reviews per hypothesis."""
    workspace = Workspace.create(root)
    shutil.copy(week / "hypotheses.yaml", root / "hypotheses.yaml")
    hypotheses = load_hypotheses(root / "hypotheses.yaml", workspace.codebook)
    quotes, days = load_stance(week / STANCE), load_truth(week / "truth.yaml").days
    frames, decided, corrections = [], 0, 0
    for night, day in zip(week_nights(week), days, strict=True):
        for folder in night:
            copy_into_inbox(workspace.project, folder)
        workspace.ingest()
        workspace.code()
        as_of = dt.date.fromisoformat(day)
        if per_night:
            analysis = workspace.analysis(as_of)
            listed = review_list(analysis.evidence, analysis.summary, per_night).drop_duplicates(
                ["segment_id", "code_id"])
            decisions = pd.DataFrame([decide(row, quotes, hypotheses) for _, row in listed.iterrows()])
            if not decisions.empty:
                decided, corrections = decided + len(decisions), corrections + int(decisions["correction"].sum())
                path = root / f"decisions-{day}.csv"
                decisions.drop(columns="correction").to_csv(path, index=False)
                workspace.review_import(path, coder=REVIEWER)
        frames.append(workspace.analysis(as_of).summary.assign(day=day)[["hypothesis_id", "day", "status"]])
    return pd.concat(frames, ignore_index=True), decided, corrections


def measure(per_night: list[int] | None = None, extra: list[Path] | None = None) -> list[Figure]:
    figures: list[Figure] = []
    chosen = {name: week for name, week in (weeks() | {f"week {p.name}": p for p in extra or []}).items()
              if (week / STANCE).is_file()}
    for name, week in chosen.items():
        truth = load_truth(week / "truth.yaml")
        group = f"learning curve: {name}"
        for n in per_night if per_night is not None else [0, 3, 6, 10]:
            with tempfile.TemporaryDirectory() as scratch:
                statuses, decided, corrections = run_week(week, Path(scratch) / week.name, n)
            scored = score_verdicts(truth, statuses)
            right = float(scored["right"].mean())
            last = scored[scored["day"] == truth.days[-1]]
            label = f"{n} reviews per hypothesis a night"
            figures += [Figure(group, f"{label}: day-by-day verdicts right", right, "share"),
                        Figure(group, f"{label}: verdicts reversed", int(scored["reversed"].sum()), "verdicts"),
                        Figure(group, f"{label}: findings right on the last day", float(last["right"].mean()),
                               "share"),
                        Figure(group, f"{label}: decisions (corrections)", decided, f"({corrections})")]
            marks = scored.assign(cell=scored["status"] + scored["right"].map({True: "", False: " ✗"}))
            print(f"{group}, {label}: right {right:.2f}, {decided} decisions, {corrections} corrections\n"
                  + marks.pivot(index="hypothesis_id", columns="day", values="cell").to_string(),
                  file=sys.stderr, flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-night", type=int, nargs="+", default=[0, 3, 6, 10],
                        help="statements reviewed per hypothesis each night, one run each")
    parser.add_argument("--week", type=Path, nargs="*", default=[], help="more week folders (with stance.yaml)")
    args = parser.parse_args()
    print_figures(measure(args.per_night, args.week))


if __name__ == "__main__":
    main()
