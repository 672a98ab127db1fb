"""Evidence matrices and hypothesis tests at programme scale: 1,000 sources and 20 codes (target: under 10 s).

    python -m benchmarks.evidence [--sources 1000] [--codes 20]

Synthetic coded statements (about 60 per source, 1.5 codes each) go through `analyse`: five matrices with
quotes, ten hypotheses with keywords, triangulation and status. A bare pandas count of the same cells is timed
beside it, so the ratio holds on a noisy machine. Writing the report files is timed separately.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.figures import Figure, print_figures
from benchmarks.timing import best_of
from qualcode.codebook import Code, Codebook
from qualcode.evidence import EvidenceConfig, Hypothesis, HypothesisSet, analyse, daily_delta
from qualcode.reports.briefing import render_briefing
from qualcode.reports.tables import report_tables, write_tables
from qualcode.reports.workbook import write_workbook

ROLES = ["frontline or middle manager", "council senior manager", "councillor", "health lead", "police officer",
         "designated safeguarding lead", "voluntary-sector worker", "safeguarding board chair"]
AGENCIES = ["children's social care", "corporate centre", "health", "police", "education", "voluntary sector",
            "safeguarding board"]
WORDS = "board supervision caseload referral audit budget voice strategy police health school plan".split()


def synthetic(sources: int, codes: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                                                Codebook, HypothesisSet]:
    rng = np.random.default_rng(seed)
    per_source = 60
    n = sources * per_source
    source_ids = np.repeat([f"s{i:05d}" for i in range(sources)], per_source)
    start = np.tile(np.arange(per_source) * 100, sources)
    words = rng.choice(WORDS, size=(n, 3))
    segments = pd.DataFrame({
        "segment_id": [f"g{i:07d}" for i in range(n)], "source_id": source_ids,
        "speaker": rng.choice(["A", "B", "C"], n), "role": rng.choice(ROLES, n), "agency": rng.choice(AGENCIES, n),
        "site": rng.choice([f"LA{i}" for i in range(1, 6)], n),
        "source_type": rng.choice(["interview", "focus_group", "questionnaire"], n), "date": "2026-03-09",
        "start": start, "end": start + 90, "text": [" ".join(w) for w in words]})
    sources_frame = pd.DataFrame({"id": sorted(set(source_ids)), "date": "2026-03-09", "ingested_on": "2026-03-09"})
    code_ids = [f"code.c{j:02d}" for j in range(codes)]
    first = rng.integers(0, codes, n)
    second = rng.integers(0, codes, n)
    has_second = rng.random(n) < 0.5
    rows = pd.DataFrame({"segment_id": np.concatenate([segments["segment_id"], segments["segment_id"][has_second]]),
                         "code_id": np.concatenate([np.take(code_ids, first), np.take(code_ids, second[has_second])])})
    rows = rows.drop_duplicates()
    codings = rows.assign(confidence=rng.random(len(rows)).round(4), assigned=True, method="embedding",
                          valence=rng.choice(["strength", "area_for_improvement", "neutral"], len(rows)))
    codebook = Codebook(name="synthetic", version="1", codes=[
        Code(id=c, label=c, definition=f"synthetic code {c}") for c in code_ids])
    hypotheses = HypothesisSet(hypotheses=[
        Hypothesis(id=f"H{k}", statement=f"hypothesis {k}", codes=list(rng.choice(code_ids, 2, replace=False)),
                   supported_by="area_for_improvement" if k % 2 else "strength",
                   keywords=list(rng.choice(WORDS, 2, replace=False)) if k % 3 else [])
        for k in range(10)])
    return segments, sources_frame, codings, codebook, hypotheses


def measure(count: int = 1000, codes: int = 20) -> list[Figure]:
    segments, sources, codings, codebook, hypotheses = synthetic(count, codes)
    config = EvidenceConfig()
    day = dt.date(2026, 3, 9)

    def bare() -> object:
        joined = segments.merge(codings, on="segment_id")
        return [joined.groupby([column, "code_id"]).size() for column in
                ("role", "agency", "source_type", "site", "source_id")]

    def charted() -> object:
        return analyse(segments, sources, codings, codebook, hypotheses, config, day)

    bare_s = best_of(bare, 3)
    analyse_s = best_of(charted, 3)
    analysis = analyse(segments, sources, codings, codebook, hypotheses, config, day)
    delta = daily_delta(analysis, None, [c.id for c in codebook.leaves])
    with tempfile.TemporaryDirectory() as folder:
        def write() -> None:
            write_tables(report_tables(analysis, delta), Path(folder))
            write_workbook(Path(folder) / "evidence.xlsx", analysis, delta, [c.id for c in codebook.leaves], {})
            render_briefing(analysis, delta, previous=None, labels={c.id: c.label for c in codebook.leaves},
                            case=config.briefing_case, rule=config.status,
                            expected_agencies=config.expected_agencies, about={"project": "bench",
                            "codebook": "synthetic 1", "model": "none", "version": "bench",
                            "reviewed by a person": "0 codings", "coding digest": "bench",
                            "not coded with the current coding": "none"})
        write_s = best_of(write, 1)
    group = f"evidence: {count:,} sources, {len(codings):,} codings, {codes} codes"
    return [Figure(group, "bare pandas cell counts", bare_s, "s", 1.0, "bare"),
            Figure(group, "matrices + hypothesis tests (analyse)", analyse_s, "s", analyse_s / bare_s, "bare",
                   "< 10 s", analyse_s < 10),
            Figure(group, "writing CSV, Parquet, xlsx, briefing", write_s, "s")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--codes", type=int, default=20)
    args = parser.parse_args()
    print_figures(measure(args.sources, args.codes))


if __name__ == "__main__":
    main()
