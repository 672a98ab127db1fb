"""Evidence as pure functions: hypotheses files, quotes, the matrix, weighing, the status rule and the delta."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from conftest import REVIEW_WEEK
from qualcode.codebook import Codebook, load_codebook, resolve_codebook_path
from qualcode.errors import BadHypotheses
from qualcode.evidence import (
    EvidenceConfig,
    HypothesisSet,
    StatusRule,
    analyse,
    best_quotes,
    daily_delta,
    decide_status,
    framework_matrix,
    hypothesis_evidence,
    hypothesis_summary,
    load_hypotheses,
    matrix_counts,
    segments_as_of,
)
from qualcode.evidence.status import Side
from qualcode.schemas import SEGMENTS, STORED_CODINGS

LOE = "safeguarding_lines_of_enquiry"


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load_codebook(resolve_codebook_path(LOE))


def _statements(rows: list[tuple[str, str, str, str, float, str, str]]) -> pd.DataFrame:
    """(segment_id, source_id, role, agency, confidence, code_id, valence, text) -> coded statements."""
    frame = pd.DataFrame(rows, columns=["segment_id", "source_id", "role", "agency", "confidence", "code_id",
                                        "valence"])
    frame["speaker"] = frame["role"]
    frame["source_type"] = "interview"
    frame["site"] = "LA1"
    frame["date"] = "2026-03-09"
    frame["start"] = range(0, 10 * len(frame), 10)
    frame["end"] = frame["start"] + 5
    frame["text"] = "The board " + frame["segment_id"]
    return frame.sort_values("confidence", ascending=False, kind="stable").reset_index(drop=True)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hypotheses.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_hypotheses_sample_file_loads_against_the_codebook(codebook: Codebook) -> None:
    hypotheses = load_hypotheses(REVIEW_WEEK / "hypotheses.yaml", codebook)
    assert len(hypotheses.hypotheses) >= 6
    assert {h.supported_by for h in hypotheses.hypotheses} == {"strength", "area_for_improvement"}
    leaves = {c.id for c in codebook.leaves}
    assert all(set(h.codes) <= leaves for h in hypotheses.hypotheses)


@pytest.mark.parametrize(("body", "line", "words"), [
    ("hypotheses:\n  - id: H1\n    statement: x\n    codes: [loe.nope]\n    supported_by: strength\n", 2,
     "'H1' names code 'loe.nope'"),
    ("hypotheses:\n  - id: H1\n    statement: x\n    codes: [loe.performance_qa]\n    supported_by: neutral\n", 2,
     "supported_by"),
    ("hypotheses:\n  - id: H1\n    statement: a\n    codes: [loe.performance_qa]\n    supported_by: strength\n"
     "  - id: H2\n    codes: [loe.performance_qa]\n    supported_by: strength\n", 6,
     "hypothesis 'H2', field `statement`"),
    ("hypotheses:\n  - id: H1\n    statement: a\n    codes: [loe.performance_qa]\n    supported_by: strength\n"
     "  - id: H1\n    statement: b\n    codes: [loe.performance_qa]\n    supported_by: strength\n", 1, "duplicate"),
    ("hypotheses:\n  - id: H1\n    statement: [unclosed\n", 4, "not valid YAML"),
    ("hypotheses: 3\n", 1, "`hypotheses:` list"),
    ("hypotheses:\n  - id: H1\n    statement: a\n    codes: [loe.performance_qa]\n    supported_by: strength\n"
     "    keyword: [typo]\n", 2, "keyword"),
])
def test_hypotheses_errors_name_file_line_and_hypothesis(tmp_path: Path, codebook: Codebook, body: str,
                                                         line: int, words: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(BadHypotheses) as raised:
        load_hypotheses(path, codebook)
    assert raised.value.path == path and raised.value.line == line
    assert words in str(raised.value)


def test_hypotheses_parent_code_stands_for_its_leaves(tmp_path: Path) -> None:
    codebook = load_codebook(resolve_codebook_path("peer_review_evaluation"))
    parents = sorted(codebook.parents)
    path = _write(tmp_path, f"hypotheses:\n  - id: H1\n    statement: a\n    codes: [{parents[0]}]\n"
                            "    supported_by: strength\n")
    hypothesis = load_hypotheses(path).hypotheses[0]
    from qualcode.evidence.hypotheses import leaf_codes

    leaves = leaf_codes(hypothesis, codebook)
    assert len(leaves) >= 2 and all(c.startswith(parents[0] + ".") for c in leaves)
    with pytest.raises(BadHypotheses, match="has no valence"):  # nothing could ever support it
        load_hypotheses(path, codebook)


def test_best_quotes_prefers_distinct_speakers_then_confidence() -> None:
    frame = _statements([("a", "s1", "frontline", "csc", 0.9, "c", "strength"),
                         ("b", "s1", "frontline", "csc", 0.8, "c", "strength"),
                         ("c", "s2", "health lead", "health", 0.5, "c", "strength"),
                         ("d", "s3", "police officer", "police", 0.4, "c", "strength")])
    assert list(best_quotes(frame, 3)["segment_id"]) == ["a", "c", "d"]
    assert list(best_quotes(frame, 4)["segment_id"]) == ["a", "c", "d", "b"]
    grouped = best_quotes(frame.assign(group=["x", "x", "y", "y"]), 1, by=["group"])
    assert list(grouped["segment_id"]) == ["a", "c"] and list(grouped["rank"]) == [1, 1]


def test_framework_matrix_counts_shares_and_quotes_match_the_statements() -> None:
    frame = _statements([("a", "s1", "frontline", "csc", 0.9, "c1", "strength"),
                         ("b", "s2", "frontline", "csc", 0.8, "c1", "area_for_improvement"),
                         ("c", "s3", "frontline", "csc", 0.7, "c1", "neutral"),
                         ("d", "s4", "frontline", "csc", 0.6, "c1", "strength"),
                         ("e", "s5", "health lead", "health", 0.5, "c2", "area_for_improvement"),
                         ("f", "s5", "health lead", "health", 0.5, "c3", "strength")])
    matrix, quotes = framework_matrix(frame, "role", ["c2", "c1"], quotes=3)
    cell = matrix.set_index(["case", "code_id"]).loc[("frontline", "c1")]
    assert (cell["statements"], cell["strengths"], cell["areas_for_improvement"], cell["neutral"]) == (4, 2, 1, 1)
    assert cell["strength_share"] == 0.5 and cell["improvement_share"] == 0.25
    assert cell["quotes"].count("\u2014 frontline") == 3 and cell["quote_refs"].startswith("s1:0-5")
    assert "c3" not in set(matrix["code_id"])
    assert len(quotes[(quotes["case"] == "frontline")]) == 3
    grid = matrix_counts(matrix, ["c2", "c1"])
    assert grid.loc["health lead"].tolist() == [1, 0] and grid.loc["frontline"].tolist() == [0, 4]


def test_evidence_sides_follow_valence_and_keywords(tmp_path: Path, codebook: Codebook) -> None:
    path = _write(tmp_path, "hypotheses:\n  - id: H1\n    statement: weak board\n"
                            "    codes: [loe.partnership_lscb]\n    supported_by: area_for_improvement\n"
                            "    keywords: [board]\n  - id: H2\n    statement: b\n    codes: [loe.performance_qa]\n"
                            "    supported_by: strength\n")
    hypotheses = load_hypotheses(path, codebook)
    frame = _statements([("a", "s1", "frontline", "csc", 0.9, "loe.partnership_lscb", "area_for_improvement"),
                         ("b", "s2", "health lead", "health", 0.8, "loe.partnership_lscb", "strength"),
                         ("c", "s3", "police officer", "police", 0.7, "loe.partnership_lscb", "neutral"),
                         ("d", "s4", "frontline", "csc", 0.6, "loe.performance_qa", "area_for_improvement")])
    frame.loc[frame["segment_id"] == "b", "text"] = "Partners work well together."  # no keyword: not evidence
    evidence = hypothesis_evidence(frame, hypotheses, codebook)
    sides = dict(zip(evidence["hypothesis_id"] + ":" + evidence["segment_id"], evidence["side"], strict=True))
    assert sides == {"H1:a": "support", "H1:c": "neutral", "H2:d": "contradict"}


@pytest.mark.parametrize(("support", "contradict", "expected"), [
    ((0, 0, 0, 0), (0, 0, 0, 0), "not yet tested"),
    ((1.0, 2, 2, 2), (0, 0, 0, 0), "emerging"),            # too few statements
    ((3.0, 5, 1, 1), (0, 0, 0, 0), "emerging"),            # one voice only: not triangulated
    ((3.0, 5, 2, 2), (0.5, 1, 1, 1), "supported"),
    ((0.5, 1, 1, 1), (3.0, 5, 3, 2), "contradicted"),
    ((2.0, 3, 2, 2), (2.0, 3, 2, 2), "contested"),
    ((3.0, 5, 1, 1), (1.0, 1, 2, 2), "contested"),         # a majority, but from one voice
])
def test_status_rule_covers_every_status(support: tuple[float, int, int, int],
                                         contradict: tuple[float, int, int, int], expected: str) -> None:
    def side(weight: float, statements: int, roles: int, agencies: int) -> Side:
        return Side(weight, statements, frozenset(f"r{i}" for i in range(roles)),
                    frozenset(f"a{i}" for i in range(agencies)), frozenset({"interview"}))

    assert decide_status(side(*support), side(*contradict), StatusRule()) == expected


def test_status_rule_is_configurable() -> None:
    voices = frozenset({"x", "y"})
    support, contradict = Side(3.0, 4, voices, voices, voices), Side(1.0, 2, voices, voices, voices)
    assert decide_status(support, contradict, StatusRule()) == "supported"
    assert decide_status(support, contradict, StatusRule(majority=0.8)) == "contested"
    assert decide_status(support, contradict, StatusRule(min_statements=10)) == "emerging"
    assert decide_status(support, contradict, StatusRule(min_roles=3)) == "emerging"


def test_segments_as_of_uses_source_date_or_else_ingest_day() -> None:
    segments = pd.DataFrame({"segment_id": ["1", "2", "3"], "source_id": ["a", "b", "c"]})
    sources = pd.DataFrame({"source_id": ["a", "b", "c"], "date": ["2026-03-09", None, "2026-03-11"],
                            "ingested_on": ["2026-03-12", "2026-03-10", "2026-03-12"]})
    assert list(segments_as_of(segments, sources, dt.date(2026, 3, 10))["segment_id"]) == ["1", "2"]
    assert list(segments_as_of(segments, sources, dt.date(2026, 3, 9))["segment_id"]) == ["1"]


def test_voices_that_differ_only_in_spelling_are_one_voice(codebook: Codebook, tmp_path: Path) -> None:
    path = _write(tmp_path, "hypotheses:\n  - id: H1\n    statement: weak\n    codes: [loe.partnership_lscb]\n"
                            "    supported_by: area_for_improvement\n")
    frame = _statements([("a", "s1", "manager", "Health", 0.9, "loe.partnership_lscb", "area_for_improvement"),
                         ("b", "s2", "Manager ", "health", 0.9, "loe.partnership_lscb", "area_for_improvement"),
                         ("c", "s3", "manager", "health ", 0.9, "loe.partnership_lscb", "area_for_improvement")])
    hypotheses = load_hypotheses(path, codebook)
    summary = hypothesis_summary(hypothesis_evidence(frame, hypotheses, codebook), hypotheses, StatusRule(),
                                 ["health", "police"])
    row = summary.iloc[0]
    assert (row["support_roles"], row["support_agencies"], row["status"]) == (1, 1, "emerging")
    assert row["gaps"] == "police"


def test_delta_reports_new_voices_codes_and_status_changes(codebook: Codebook, tmp_path: Path) -> None:
    hypotheses = load_hypotheses(_write(tmp_path, "hypotheses:\n  - id: H1\n    statement: weak\n"
                                                  "    codes: [loe.partnership_lscb]\n"
                                                  "    supported_by: area_for_improvement\n"), codebook)
    rows = [("a", "s1", "frontline", "csc", 0.9, "loe.partnership_lscb", "area_for_improvement"),
            ("b", "s1", "council senior manager", "csc", 0.9, "loe.partnership_lscb", "area_for_improvement"),
            ("c", "s2", "health lead", "health", 0.8, "loe.partnership_lscb", "area_for_improvement"),
            ("d", "s2", "nurse", "health", 0.8, "loe.performance_qa", "strength")]
    frame = _statements(rows)
    segments = frame.assign(index=range(len(frame)), turn_index=1, question="", page=None, section=None)[SEGMENTS.names]
    sources = pd.DataFrame({"source_id": ["s1", "s2"], "date": ["2026-03-09", "2026-03-10"],
                            "ingested_on": [None, None]})
    codings = frame[["segment_id", "code_id", "confidence", "valence"]].assign(
        assigned=True, method="embedding", codebook=codebook.name, codebook_version=codebook.version, digest="d",
        rank=1, model="m", coded_at="2026-03-09T08:00:00+00:00", valence_confidence=0.9)[STORED_CODINGS.names]
    config = EvidenceConfig(status=StatusRule(swing=0, min_voices_heard=0.0))  # three statements may decide here

    def on(day: int) -> object:
        return analyse(segments, sources, codings, codebook, hypotheses, config, dt.date(2026, 3, day), cases=[])

    monday, tuesday = on(9), on(10)
    codes = [c.id for c in codebook.leaves]
    delta = daily_delta(tuesday, monday, codes)  # type: ignore[arg-type]
    assert delta.voices.query("kind == 'agency'")["voice"].tolist() == ["health"]
    by_code = delta.codes.set_index("code_id")
    assert bool(by_code.loc["loe.performance_qa", "first_evidence"])
    assert not bool(by_code.loc["loe.partnership_lscb", "first_evidence"])
    assert by_code.loc["loe.partnership_lscb", "new_statements"] == 1
    change = delta.hypotheses.iloc[0]
    assert (change["status_before"], change["status_now"], change["new_support"]) == ("emerging", "supported", 1)
    first = daily_delta(monday, None, codes)  # type: ignore[arg-type]
    assert first.hypotheses["status_before"].tolist() == [""] and first.hypotheses["changed"].all()


def test_empty_hypotheses_and_no_codings_still_analyse(codebook: Codebook) -> None:
    segments = pd.DataFrame(columns=SEGMENTS.names)
    sources = pd.DataFrame(columns=["source_id", "date", "ingested_on"])
    codings = pd.DataFrame(columns=STORED_CODINGS.names)
    analysis = analyse(segments, sources, codings, codebook, HypothesisSet(), EvidenceConfig(),
                       dt.date(2026, 3, 9))
    assert analysis.summary.empty and all(m.empty for m in analysis.matrices.values())
