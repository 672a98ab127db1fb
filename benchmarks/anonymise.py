"""The anonymisation gate: what it leaves of real speech, what it catches on labelled sets, and its speed.

    python -m benchmarks.anonymise [--repeat 3] [--top 30]

- **Real transcripts** (`../shared/realdata/interviews/`, 18 real auto-transcribed interviews already
  pseudonymised by their authors): every file goes through the gate as `qualcode ingest` would, in one project;
  placeholders per 1,000 words overall and per kind (target: at most 3), and the most often replaced strings,
  printed so that a person can judge whether they are identifiers. Figures on this material cite Côté et al.,
  "Quality issues in Machine Learning Software Systems" (ICSME 2022 registered report).
- **Labelled sets**: recall of all identifiers and of structured ones, precision, and the field vocabulary kept,
  on `corpora/gold/anonymisation*.jsonl` (written with the old recognisers: smoke tests) and on
  `corpora/gold/speech/` (auto-transcripts, transcripts and notes written apart from the recognisers): `dev.jsonl`
  tuned against; `holdout.jsonl` to `holdout5.jsonl` each scored once as a held-out set and developed against
  afterwards; `holdout6.jsonl` written apart and never tuned against.
- **Speed**: the gate against spaCy's own full pipeline over the review_week sample (target: under 2x).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter

import spacy

from benchmarks.figures import Figure, print_figures
from benchmarks.realdata import REPO, real_interviews
from benchmarks.timing import best_of
from qualcode.anonymise.detector import Detector
from qualcode.anonymise.entities import PLACEHOLDER, STRUCTURED, kind_of
from qualcode.anonymise.evaluate import KEPT, evaluate, load_labelled
from qualcode.anonymise.gate import Anonymiser
from qualcode.anonymise.pseudonyms import Pseudonyms
from qualcode.errors import InputError
from qualcode.ingest import READERS, parse_file
from qualcode.ingest.readers import read_source
from qualcode.nlp import DEFAULT_SPACY_MODEL, sentence_pipeline
from qualcode.samples import samples_dir
from qualcode.segment import Segmenter
from qualcode.workspace.inbox import inbox_files

GOLD = REPO / "corpora" / "gold"
LABELLED = {"gold (smoke)": GOLD / "anonymisation.jsonl", "gold held-out (smoke)": GOLD / "anonymisation_holdout.jsonl",
            "speech dev": GOLD / "speech" / "dev.jsonl",
            "speech dev 2 (scored once as held-out first)": GOLD / "speech" / "holdout.jsonl",
            "speech dev 3 (scored once as held-out first)": GOLD / "speech" / "holdout2.jsonl",
            "speech dev 4 (scored once as held-out first)": GOLD / "speech" / "holdout3.jsonl",
            "speech dev 5 (scored once as held-out first)": GOLD / "speech" / "holdout4.jsonl",
            "speech dev 6 (scored once as held-out first)": GOLD / "speech" / "holdout5.jsonl",
            "speech held-out (written apart; never tuned against)": GOLD / "speech" / "holdout6.jsonl"}
_BROKEN = re.compile(r"\[[A-Z_]+(?:_\d*)?$|^[A-Z_]*_\d+\]")
_WORDS = re.compile(r"[^\W\d_][\w'’]*")


def real_transcripts(detector: Detector, top: int = 30) -> list[Figure]:
    """Placeholders the gate puts into real spoken transcripts, per 1,000 words; the most replaced strings go to
    stderr for a person to read."""
    files = real_interviews()
    if not files:
        print("real transcripts: ../shared/realdata/interviews/ is not here; skipped", file=sys.stderr)
        return []
    pseudonyms = Pseudonyms(b"benchmark")
    gate = Anonymiser(detector, pseudonyms, residual_threshold=10**6)
    segmenter = Segmenter(sentence_pipeline())
    kinds: Counter[str] = Counter()
    uses: Counter[str] = Counter()
    words = broken = 0
    for path in files:
        try:
            source, _ = read_source(path, path.read_bytes(), name=path.name, gate=gate)
        except InputError as exc:
            print(f"real transcripts: {path.name} not read ({exc.code})", file=sys.stderr)
            continue
        words += len(_WORDS.findall(PLACEHOLDER.sub(" ", source.text)))
        broken += sum(1 for segment in segmenter.segment(source) if _BROKEN.search(segment.text))
        for kind, place, count in source.redactions:
            kinds[kind] += count
            uses[place] += count
    spelling = {a.placeholder: a.original for a in reversed(pseudonyms.assigned)}  # the first spelling seen
    total = sum(kinds.values())
    rate = 1000 * total / max(words, 1)
    group = f"real transcripts ({len(files)} interviews, {words:,} words; Côté et al. 2022)"
    figures = [Figure(group, "placeholders per 1,000 words", rate, "per 1k words", target="<= 3", met=rate <= 3)]
    figures += [Figure(group, f"  {kind}", 1000 * n / max(words, 1), "per 1k words")
                for kind, n in kinds.most_common()]
    figures.append(Figure(group, "statements holding half a placeholder", broken, "statements", target="0",
                          met=broken == 0))
    shown = ", ".join(f"{spelling.get(place, '?')!r} {kind_of(place)} x{n}" for place, n in uses.most_common(top))
    print(f"real transcripts: {total} replacements of {len(uses)} values; most replaced: {shown}", file=sys.stderr)
    return figures


def labelled_sets(detector: Detector) -> list[Figure]:
    figures: list[Figure] = []
    for name, path in LABELLED.items():
        if not path.is_file():
            print(f"labelled set {name}: {path} is not here; skipped", file=sys.stderr)
            continue
        table = evaluate(detector, load_labelled(path)).set_index("type")
        group = f"anonymise: {name} ({path.name})"
        structured = table[table.index.isin(STRUCTURED)]
        figures.append(Figure(group, "all identifiers removed", float(table.loc["overall", "recall"]), "recall",
                              target=">= 0.95", met=float(table.loc["overall", "recall"]) >= 0.95))
        if len(structured):
            rate = float(structured["caught"].sum() / structured["support"].sum())
            figures.append(Figure(group, "structured identifiers removed", rate, "recall", target="1.00",
                                  met=rate == 1.0))
        figures.append(Figure(group, "findings that are identifiers", float(table.loc["overall", "precision"]),
                              "share"))
        if KEPT in table.index:
            kept = float(table.loc[KEPT, "recall"])
            figures.append(Figure(group, "field vocabulary kept", kept, "share", target=">= 0.90", met=kept >= 0.90))
    return figures


def speed(detector: Detector, repeat: int = 3) -> list[Figure]:
    files = [p for p in inbox_files(samples_dir() / "review_week") if p.name != "README.md" and p.suffix in READERS]
    parsed = [parse_file(p, p.read_bytes()) for p in files]
    texts = [[turn.text for turn in one.turns] for one in parsed]
    chars = sum(len(t) for group in texts for t in group)
    nlp = spacy.load(DEFAULT_SPACY_MODEL)

    def spacy_pipeline() -> None:
        for group in texts:
            list(nlp.pipe(group, batch_size=32))

    def anonymise() -> None:
        gate = Anonymiser(detector, Pseudonyms(b"benchmark"))
        for one in parsed:
            gate.detect_file(one)

    spacy_pipeline()
    anonymise()  # warm up both
    bare = best_of(spacy_pipeline, repeat)
    gate = best_of(anonymise, repeat)
    group = f"anonymise review_week ({chars:,} chars)"
    return [Figure(group, "spaCy nlp.pipe, all components (bare)", chars / bare, "chars/s", 1.0, "bare"),
            Figure(group, "qualcode anonymisation gate", chars / gate, "chars/s", bare / gate, "bare",
                   ">= 0.50x bare (under 2x the time)", gate < 2 * bare)]


def measure(repeat: int = 3, top: int = 30) -> list[Figure]:
    detector = Detector()
    return [*real_transcripts(detector, top), *labelled_sets(detector), *speed(detector, repeat)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs for each measurement")
    parser.add_argument("--top", type=int, default=30, help="how many replaced strings to print")
    args = parser.parse_args()
    print_figures(measure(args.repeat, args.top))


if __name__ == "__main__":
    main()
