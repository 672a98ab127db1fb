"""People's decisions teach the machine: the teaching table, the coding digest, and a relearned engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from conftest import copy_project
from qualcode.coders.digest import engine_digest
from qualcode.coders.teaching import teaching, teaching_digest
from qualcode.project import Project
from qualcode.store import Store
from qualcode.workspace import Workspace
from qualcode.workspace.wiring import as_statements

CODES = ["loe.capacity_resources", "loe.frontline_practice", "loe.outcomes_voice"]


def _decision(segment: str, code: str, decision: str, valence: str | None, at: str) -> dict[str, object]:
    return {"segment_id": segment, "codebook": "safeguarding_lines_of_enquiry", "code_id": code,
            "decision": decision, "valence": valence, "coder": "peer", "decided_at": at}


def test_teaching_takes_the_latest_valence_and_teaches_a_statement_rejected_whole_as_holding_no_code() -> None:
    decisions = pd.DataFrame([
        # the later decision is on the alphabetically earlier code: its valence is the person's last word
        _decision("s1", "loe.outcomes_voice", "accept", "strength", "2026-03-09T20:00:00+00:00"),
        _decision("s1", "loe.capacity_resources", "add", "area_for_improvement", "2026-03-10T20:00:00+00:00"),
        _decision("s2", "loe.frontline_practice", "reject", None, "2026-03-09T20:00:00+00:00"),
        _decision("s3", "loe.renamed_since", "accept", "strength", "2026-03-09T20:00:00+00:00"),
    ])
    taught = teaching(decisions, CODES)
    assert taught.to_dict("records") == [
        {"segment_id": "s1", "code_id": "loe.capacity_resources", "valence": "area_for_improvement"},
        {"segment_id": "s1", "code_id": "loe.outcomes_voice", "valence": "area_for_improvement"},
        {"segment_id": "s2", "code_id": None, "valence": None},
    ]  # s3's code is no longer in the codebook, so it teaches nothing
    assert teaching_digest(taught) != teaching_digest(teaching(decisions.iloc[:2], CODES)) != ""
    assert teaching_digest(teaching(decisions.iloc[0:0], CODES)) == ""


def test_decisions_teach_the_engine_and_recode_the_corpus(review_week_reports: tuple[Project, list],
                                                         review_week_vectors: Path, tmp_path: Path) -> None:
    project = copy_project(review_week_reports[0], tmp_path / "project", review_week_vectors)
    workspace = Workspace.open(project.root)
    before_digest, untaught = workspace.coding_digest(), workspace.engine()
    assert engine_digest(untaught) == before_digest and untaught.teaching_ == ""
    codings = workspace.codings()
    machine = codings[codings["assigned"] & codings["valence"].notna()].drop_duplicates("segment_id")
    # the statements the machine is surest are strengths: a person says each is an area for improvement
    chosen = machine[machine["valence"] == "strength"].nlargest(6, "valence_confidence")
    path = tmp_path / "decisions.csv"
    chosen.assign(decision="accept", valence="area_for_improvement")[
        ["segment_id", "code_id", "decision", "valence"]].to_csv(path, index=False)

    recorded = workspace.review_import(path, coder="peer reviewer")

    with Store(project.store_path) as store:
        total, digests = len(store.segments()), store.coding_digests(workspace.codebook.name)
    after_digest = workspace.coding_digest()
    assert after_digest != before_digest and digests == {after_digest: total} and recorded.recoded == total
    taught = workspace.engine()
    assert engine_digest(taught) == after_digest and taught.trained_
    with Store(project.store_path) as store:
        segments = store.segments()
    own = taught.read(as_statements(segments[segments["segment_id"].isin(chosen["segment_id"])]))[0]
    column = list(taught.valence_.classes_).index("area_for_improvement")
    learned = taught.valence_.predict_proba(own)[:, column]
    assert np.all(learned > untaught.valence_.predict_proba(own)[:, column])


def test_a_persons_latest_valence_is_laid_over_every_code_the_statement_keeps() -> None:
    from qualcode.review.decisions import apply_decisions

    codings = pd.DataFrame({"segment_id": ["s1", "s1"], "code_id": CODES[:2], "confidence": [0.6, 0.5],
                            "assigned": [True, True], "method": ["embedding"] * 2, "valence": ["strength"] * 2,
                            "valence_confidence": [0.7, 0.7]})
    decisions = pd.DataFrame([  # in the store's order (by code): the later decision comes first
        _decision("s1", CODES[0], "accept", "area_for_improvement", "2026-03-10T20:00:00+00:00"),
        _decision("s1", CODES[1], "accept", "strength", "2026-03-09T20:00:00+00:00"),
    ])
    laid = apply_decisions(codings, decisions)
    assert set(laid["valence"]) == {"area_for_improvement"} and set(laid["valence_confidence"]) == {1.0}
