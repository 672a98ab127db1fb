"""Verdicts that know their doubt: unsure stances weigh nothing, the team's notes are no voice, a verdict that two
unreviewed statements decide needs review, and the briefing's statuses score against an analyst's truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from qualcode.codebook import Codebook, load_codebook, resolve_codebook_path
from qualcode.evidence import StatusRule, hypothesis_evidence, hypothesis_summary, load_hypotheses
from qualcode.evidence.truth import load_truth, score_verdicts
from qualcode.evidence.weighing import review_list
from qualcode.samples import samples_dir

AFI, STRENGTH = "area_for_improvement", "strength"
AGENCIES = ["children's social care", "health", "police"]


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load_codebook(resolve_codebook_path("safeguarding_lines_of_enquiry"))


def _hypotheses(tmp_path: Path, codebook: Codebook):  # type: ignore[no-untyped-def]
    path = tmp_path / "hypotheses.yaml"
    path.write_text("hypotheses:\n  - id: H1\n    statement: Partners rarely join strategy discussions.\n"
                    "    codes: [loe.partnership_lscb]\n    supported_by: area_for_improvement\n"
                    "    voices:\n      agencies: [children's social care, health, police]\n", encoding="utf-8")
    return load_hypotheses(path, codebook)


def _rows(spec: list[tuple[str, str, str, float, str, str]]) -> pd.DataFrame:
    """(role, agency, valence, stance confidence, method, source type) -> coded statements, one per row."""
    frame = pd.DataFrame(spec, columns=["role", "agency", "valence", "valence_confidence", "method", "source_type"])
    n = len(frame)
    return frame.assign(segment_id=[f"g{i}" for i in range(n)], source_id=[f"s{i}" for i in range(n)],
                        speaker=frame["role"], site="LA1", date="2026-03-09", start=0, end=5,
                        text=[f"statement {i}" for i in range(n)], code_id="loe.partnership_lscb", confidence=0.9)


def _status(frame: pd.DataFrame, hypotheses, codebook: Codebook, rule: StatusRule | None = None  # type: ignore[no-untyped-def]
            ) -> pd.Series:
    rule = rule or StatusRule()
    evidence = hypothesis_evidence(frame, hypotheses, codebook, rule)
    return hypothesis_summary(evidence, hypotheses, rule, AGENCIES).iloc[0]


def test_a_triangulated_majority_with_sure_stances_is_supported(tmp_path: Path, codebook: Codebook) -> None:
    hypotheses = _hypotheses(tmp_path, codebook)
    frame = _rows([("social worker", AGENCIES[0], AFI, 0.9, "embedding", "interview"),
                   ("team manager", AGENCIES[0], AFI, 0.9, "embedding", "interview"),
                   ("nurse", AGENCIES[1], AFI, 0.9, "embedding", "interview"),
                   ("GP", AGENCIES[1], AFI, 0.9, "embedding", "interview"),
                   ("detective", AGENCIES[2], AFI, 0.9, "embedding", "interview"),
                   ("sergeant", AGENCIES[2], STRENGTH, 0.9, "embedding", "interview")])
    row = _status(frame, hypotheses, codebook)
    assert row["status"] == "supported"
    assert row["unreviewed_share"] == 1.0 and "supports" in row["reason"]


def test_unsure_stances_weigh_nothing(tmp_path: Path, codebook: Codebook) -> None:
    hypotheses = _hypotheses(tmp_path, codebook)
    frame = _rows([(role, agency, AFI, 0.4, "embedding", "interview")
                   for role, agency in [("sw", AGENCIES[0]), ("nurse", AGENCIES[1]), ("dc", AGENCIES[2])] * 2])
    row = _status(frame, hypotheses, codebook)
    assert row["status"] == "not yet tested" and row["unsure_statements"] == 6
    assert "unsure" in row["reason"]


def test_a_verdict_two_unreviewed_statements_decide_needs_review(tmp_path: Path, codebook: Codebook) -> None:
    hypotheses = _hypotheses(tmp_path, codebook)
    spec = [("sw", AGENCIES[0], AFI, 0.95, "embedding", "interview"),
            ("nurse", AGENCIES[1], AFI, 0.95, "embedding", "interview"),
            ("dc", AGENCIES[2], AFI, 0.7, "embedding", "interview")]
    row = _status(_rows(spec), hypotheses, codebook)
    assert row["status"] == "needs review" and "without its 2 heaviest unreviewed" in row["reason"]
    # the same statements, decided by a person, carry the verdict
    reviewed = [(r, a, v, c, "human", t) for r, a, v, c, _, t in spec]
    row = _status(_rows(reviewed), hypotheses, codebook)
    assert row["status"] == "supported" and row["unreviewed_share"] == 0.0


def test_the_teams_own_notes_are_neither_weighed_nor_a_voice(tmp_path: Path, codebook: Codebook) -> None:
    hypotheses = _hypotheses(tmp_path, codebook)
    frame = _rows([("sw", AGENCIES[0], AFI, 0.9, "embedding", "interview"),
                   ("tm", AGENCIES[0], AFI, 0.9, "embedding", "interview"),
                   ("peer", "peer review programme", AFI, 0.9, "embedding", "interviewer_notes"),
                   ("peer", "health", AFI, 0.9, "embedding", "interviewer_notes")])
    row = _status(frame, hypotheses, codebook, StatusRule(swing=0))
    assert row["support_statements"] == 2 and row["status"] == "emerging"
    assert "health" in row["gaps"]


def test_a_verdict_waits_for_half_the_agencies_it_needs(tmp_path: Path, codebook: Codebook) -> None:
    hypotheses = _hypotheses(tmp_path, codebook)
    frame = _rows([(f"r{i}", agency, AFI, 0.9, "embedding", "interview")
                   for i, agency in enumerate([AGENCIES[0], "education", AGENCIES[0], "education"])])
    row = _status(frame, hypotheses, codebook, StatusRule(swing=0))
    assert row["status"] == "emerging" and "1 of the 3 agencies" in row["reason"]
    assert _status(frame, hypotheses, codebook, StatusRule(swing=0, min_voices_heard=0.0))["status"] == "supported"


def test_the_review_list_puts_the_heaviest_unreviewed_evidence_first_then_the_other_side(tmp_path: Path,
                                                                                        codebook: Codebook) -> None:
    hypotheses = _hypotheses(tmp_path, codebook)
    frame = _rows([("sw", AGENCIES[0], AFI, 0.95, "embedding", "interview"),
                   ("nurse", AGENCIES[1], AFI, 0.7, "embedding", "interview"),
                   ("dc", AGENCIES[2], AFI, 0.99, "human", "interview"),
                   ("gp", AGENCIES[1], STRENGTH, 0.3, "embedding", "interview"),
                   ("sergeant", AGENCIES[2], STRENGTH, 0.8, "embedding", "interview")])
    rule = StatusRule()
    evidence = hypothesis_evidence(frame, hypotheses, codebook, rule)
    summary = hypothesis_summary(evidence, hypotheses, rule, AGENCIES)
    assert summary["status"].iloc[0] in ("supported", "needs review")
    listed = review_list(evidence, summary, 3)
    assert listed["segment_id"].tolist() == ["g0", "g1", "g4"]  # heaviest first, the person's own not at all
    assert not listed["reviewed"].any()
    # with time left, the side the verdict does not rest on comes before the unsure ones
    assert review_list(evidence, summary, 4)["segment_id"].tolist() == ["g0", "g1", "g4", "g3"]


def test_statuses_score_against_the_bundled_weeks_truth() -> None:
    truth = load_truth(samples_dir() / "review_week" / "truth.yaml")
    days = truth.days
    statuses = pd.DataFrame([{"hypothesis_id": "H1", "day": days[0], "status": "emerging"},
                             {"hypothesis_id": "H1", "day": days[-1], "status": "needs review"},
                             {"hypothesis_id": "H3", "day": days[-1], "status": "supported"}])
    scored = score_verdicts(truth, statuses).set_index(["hypothesis_id", "day"])
    assert bool(scored.loc[("H1", days[0]), "right"])
    assert not bool(scored.loc[("H1", days[-1]), "right"])  # the truth is supported: declining is not right
    assert bool(scored.loc[("H3", days[-1]), "reversed"])
    assert scored.loc[("H2", days[0]), "status"] == "missing"
    assert len(scored) == sum(len(v) for v in truth.verdicts.values())
