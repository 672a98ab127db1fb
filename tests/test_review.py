"""People's decisions: read with clear errors, laid over machine coding, recorded all or nothing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from qualcode.cli import EXIT_OK, EXIT_UNUSABLE, app
from qualcode.codebook import Codebook, load_codebook, resolve_codebook_path
from qualcode.errors import BadDecisions
from qualcode.project import Project, init_project
from qualcode.review import apply_decisions, read_decisions
from qualcode.store import Store
from qualcode.workspace.ingest import ingest_inbox

runner = CliRunner()


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load_codebook(resolve_codebook_path("safeguarding_lines_of_enquiry"))


def _machine() -> pd.DataFrame:
    return pd.DataFrame({
        "segment_id": ["a", "a", "b", "c"], "codebook": "LOE", "codebook_version": "1", "model": "m",
        "code_id": ["loe.partnership_lscb", "loe.performance_qa", "loe.frontline_practice", "loe.outcomes_voice"],
        "confidence": [0.9, 0.3, 0.6, 0.7], "assigned": [True, False, True, True], "rank": [1, 2, 1, 1],
        "method": "embedding", "valence": ["strength", None, "neutral", "area_for_improvement"]})


def test_decisions_override_the_machine_and_keep_the_rest() -> None:
    decisions = pd.DataFrame({"segment_id": ["a", "a", "b", "c"],
                              "code_id": ["loe.partnership_lscb", "loe.performance_qa", "loe.capacity_resources",
                                          "loe.outcomes_voice"],
                              "decision": ["reject", "accept", "add", "accept"],
                              "valence": [None, None, "area_for_improvement", "strength"]})
    merged = apply_decisions(_machine(), decisions).set_index(["segment_id", "code_id"])
    assert not merged.loc[("a", "loe.partnership_lscb"), "assigned"]
    accepted = merged.loc[("a", "loe.performance_qa")]
    assert accepted["assigned"] and accepted["confidence"] == 1.0 and accepted["method"] == "human"
    assert accepted["valence"] == "strength"  # the statement's machine valence, as the person gave none
    added = merged.loc[("b", "loe.capacity_resources")]
    assert added["assigned"] and added["valence"] == "area_for_improvement" and added["codebook_version"] == "1"
    assert merged.loc[("c", "loe.outcomes_voice"), "valence"] == "strength"
    # the person's valence is about the statement: it holds for the machine's other code on it too
    assert merged.loc[("b", "loe.frontline_practice"), "valence"] == "area_for_improvement"
    untouched = merged.loc[("b", "loe.frontline_practice")]
    assert untouched["method"] == "embedding" and untouched["confidence"] == 0.6 and untouched["assigned"]
    assert apply_decisions(_machine(), decisions.iloc[0:0]).equals(_machine())


def test_a_code_added_to_a_statement_the_machine_left_uncoded_is_a_whole_coding() -> None:
    decisions = pd.DataFrame({"segment_id": ["q"], "codebook": "LOE", "code_id": ["loe.outcomes_voice"],
                              "decision": ["add"], "valence": [None], "coder": ["alice"],
                              "decided_at": ["2026-12-07T03:00:00+00:00"]})
    merged = apply_decisions(_machine(), decisions)
    added = merged.set_index(["segment_id", "code_id"]).loc[("q", "loe.outcomes_voice")]
    assert added["codebook"] == "LOE" and added["codebook_version"] == "1" and added["assigned"]
    assert added["method"] == "human" and added["valence"] == "neutral"


def test_the_latest_decision_counts_whoever_made_it() -> None:
    from qualcode.review import latest_decisions

    rows = pd.DataFrame({"segment_id": ["a", "a", "a"], "codebook": "LOE", "code_id": "loe.outcomes_voice",
                         "decision": ["accept", "reject", "accept"], "valence": None,
                         "coder": ["alice", "bob", "alice"],
                         "decided_at": ["2026-12-07T01:00:00+00:00", "2026-12-07T02:00:00+00:00",
                                        "2026-12-07T00:30:00+00:00"]})
    assert latest_decisions(rows).iloc[0]["coder"] == "bob"
    assert latest_decisions(rows).iloc[0]["decision"] == "reject"


@pytest.mark.slow  # the coded week
def test_two_people_code_blind_each_under_their_own_name(review_week_reports: tuple[Project, list[object]],
                                                         tmp_path: Path) -> None:
    from conftest import copy_project
    from qualcode.review.agreement import MACHINE, agreement_pairs, coders_codings, disagreements
    from qualcode.workspace import Workspace

    workspace = Workspace(copy_project(review_week_reports[0], tmp_path / "project"))
    statements = list(dict.fromkeys(workspace.machine_codings()["segment_id"]))[:6]
    code = workspace.codebook.leaves[0].id
    alice = pd.DataFrame({"segment_id": statements, "code_id": code, "decision": "add"})
    bob = alice.assign(decision=["add", "add", "add", "reject", "reject", "reject"])
    workspace.decide(alice, "alice")
    workspace.decide(bob, "bob")
    stored = workspace.decisions()
    assert len(stored) == 12 and set(stored["coder"]) == {"alice", "bob"}  # neither overwrote the other
    # each sees only their own decisions when coding blind; every output uses the latest
    assert workspace.codings(coder="alice").query("code_id == @code and segment_id in @statements")["assigned"].all()
    coders = coders_codings(workspace.machine_codings(), stored)
    pairs = agreement_pairs(coders, [c.id for c in workspace.codebook.leaves]).set_index(["first", "second"])
    assert pairs.loc[("alice", "bob"), "statements"] == 6
    assert pairs.loc[(MACHINE, "alice"), "statements"] == 6
    assert set(disagreements(coders, "alice", "bob")["segment_id"]) == set(statements[3:])


@pytest.mark.parametrize(("body", "line", "words"), [
    ("segment_id,code_id\na,loe.performance_qa\n", 1, "Missing column(s) decision"),
    ("segment_id,code_id,decision\na,loe.performance_qa,accept\nzzz,loe.performance_qa,accept\n", 3,
     "unknown statement id"),
    ("segment_id,code_id,decision\na,loe.nope,accept\n", 2, "code is not in codebook"),
    ("segment_id,code_id,decision\na,loe.performance_qa,maybe\n", 2, "decision is not one of"),
    ("segment_id,code_id,decision,valence\na,loe.performance_qa,add,great\n", 2, "valence is not one of"),
])
def test_read_decisions_names_the_bad_line(tmp_path: Path, codebook: Codebook, body: str, line: int,
                                           words: str) -> None:
    path = tmp_path / "decisions.csv"
    path.write_text(body)
    with pytest.raises(BadDecisions) as raised:
        read_decisions(path, codebook, {"a", "b"}, coder="me")
    assert raised.value.line == line and words in str(raised.value)
    assert not any(raw in str(raised.value) for raw in ("zzz", "loe.nope", "maybe", "great"))  # no value echoed


@pytest.mark.slow
def test_review_import_records_all_or_nothing(review_week_project: Project, tmp_path: Path) -> None:
    root = Path(shutil.copytree(review_week_project.root, tmp_path / "project"))
    with Store(root / "qualcode.db") as store:
        ids = list(store.segments()["segment_id"][:2])
    bad = tmp_path / "bad.csv"
    bad.write_text(f"segment_id,code_id,decision,coder\n{ids[0]},loe.performance_qa,add,me\n"
                   f"{ids[1]},loe.performance_qa,perhaps,me\n")
    result = runner.invoke(app, ["review", "import", str(root), str(bad)])
    assert result.exit_code == EXIT_UNUSABLE and "E404" in result.stderr and f"{bad}:3" in result.stderr
    with Store(root / "qualcode.db") as store:
        assert store.decisions().empty
    good = tmp_path / "good.csv"
    good.write_text(f"id,code_id,decision\n{ids[0]},loe.performance_qa,add\n{ids[1]},loe.outcomes_voice,reject\n")
    result = runner.invoke(app, ["review", "import", str(root), str(good), "--coder", "team lead"])
    assert result.exit_code == EXIT_OK, result.output
    assert "1 accept" not in result.stdout and "1 add" in result.stdout and "1 reject" in result.stdout
    with Store(root / "qualcode.db") as store:
        recorded = store.decisions()
    assert list(recorded["decision"]) == ["add", "reject"] and set(recorded["coder"]) == {"team lead"}


@pytest.mark.slow  # codes the evaluation sample and writes a workbook: the fast tier stays under 3 minutes
def test_review_workbook_round_trip_records_decisions_and_reports_agreement(review_week_reports: tuple[Project, list],
                                                                            tmp_path: Path) -> None:
    from openpyxl import load_workbook

    project, _ = review_week_reports
    root = Path(shutil.copytree(project.root, tmp_path / "project"))
    out = tmp_path / "review.xlsx"
    result = runner.invoke(app, ["review", "export", str(root), "--out", str(out), "--count", "5"])
    assert result.exit_code == EXIT_OK, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["How to review", "Review", "Codes"]
    sheet = book["Review"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    statements = list(dict.fromkeys(r["segment_id"] for r in rows))
    assert len(statements) == 5 and sheet.data_validations.dataValidation
    # most informative first: the first statement's best confidence is the nearest to an even chance
    with Store(root / "qualcode.db") as store:
        codings = store.codings()
    closeness = codings.groupby("segment_id")["confidence"].apply(lambda c: (c - 0.5).abs().min())
    assert closeness[statements[0]] <= closeness.median()

    plan = {statements[0]: "reject", statements[1]: "accept"}
    for number, row in enumerate(rows, start=2):
        if row["code_id"] and plan.get(row["segment_id"]):
            sheet.cell(number, 10).value = plan.pop(row["segment_id"])
        elif not row["code_id"] and row["segment_id"] == statements[2]:
            sheet.cell(number, 5).value = "loe.capacity_resources"
            sheet.cell(number, 10).value = "add"
    book.save(out)

    result = runner.invoke(app, ["review", "import", str(root), str(out), "--coder", "analyst"])
    assert result.exit_code == EXIT_OK, result.output
    assert "Machine vs people on the 3 statements reviewed" in " ".join(result.stdout.split())
    with Store(root / "qualcode.db") as store:
        recorded = store.decisions()
    assert sorted(recorded["decision"]) == ["accept", "add", "reject"] and set(recorded["coder"]) == {"analyst"}
    refused = runner.invoke(app, ["review", "export", str(root), "--out", str(out)])
    assert refused.exit_code == EXIT_UNUSABLE and "E208" in refused.stderr  # a reviewer's workbook is never lost
    again = runner.invoke(app, ["review", "export", str(root), "--out", str(tmp_path / "next.xlsx")])
    assert again.exit_code == EXIT_OK
    remaining = pd.read_excel(tmp_path / "next.xlsx", sheet_name="Review")
    assert not set(recorded["segment_id"]) & set(remaining["segment_id"])  # what was reviewed is not asked again


def test_an_older_decision_never_replaces_a_newer_one(tmp_path: Path) -> None:
    project = init_project(tmp_path / "project")
    ids = _one_statement(project)

    def decision(verdict: str, at: str) -> pd.DataFrame:
        return pd.DataFrame({"segment_id": ids[:1], "codebook": ["safeguarding_lines_of_enquiry"],
                             "code_id": ["loe.performance_qa"], "decision": [verdict], "valence": [None],
                             "coder": ["peer"], "decided_at": [at]})

    with Store(project.store_path) as store:
        assert store.add_decisions(decision("reject", "2026-03-11T20:00:00+00:00")) == 0
        assert store.add_decisions(decision("accept", "2026-03-09T20:00:00+00:00")) == 1  # an old export, late
        assert store.decisions()["decision"].tolist() == ["reject"]
        assert store.add_decisions(decision("accept", "2026-03-12T20:00:00+00:00")) == 0
        assert store.decisions()["decision"].tolist() == ["accept"]


def _one_statement(project: Project) -> list[str]:
    (project.inbox / "note.txt").write_text("Supervision happens monthly and it is recorded on the system.\n",
                                            encoding="utf-8")
    ingest_inbox(project)
    with Store(project.store_path) as store:
        return list(store.segments()["segment_id"])


@pytest.mark.slow
def test_decisions_on_a_code_the_codebook_no_longer_has_are_reported_and_offered_again(
        review_week_reports: tuple[Project, list], review_week_vectors: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from conftest import copy_project
    from qualcode.workspace import Workspace

    project = copy_project(review_week_reports[0], tmp_path / "project", review_week_vectors)
    (project.root / "hypotheses.yaml").unlink()
    workspace = Workspace.open(project.root)
    codings = workspace.codings()
    decided = codings[codings["assigned"] & (codings["code_id"] == "loe.capacity_resources")].iloc[0]
    path = tmp_path / "decisions.csv"
    pd.DataFrame({"segment_id": [decided["segment_id"]], "code_id": ["loe.capacity_resources"],
                  "decision": ["accept"]}).to_csv(path, index=False)
    workspace.review_import(path, coder="peer", relearn=False)
    # the team renames the code
    book = resolve_codebook_path("safeguarding_lines_of_enquiry").read_text(encoding="utf-8")
    (project.root / "loe.yaml").write_text(book.replace("loe.capacity_resources", "loe.capacity_and_money"),
                                           encoding="utf-8")
    config = project.root / "qualcode.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "codebook: safeguarding_lines_of_enquiry", "codebook: loe.yaml"), encoding="utf-8")
    workspace = Workspace.open(project.root)
    workspace.code()

    about = json.loads((workspace.report(dt.date(2026, 3, 12)).folder / "about.json").read_text(encoding="utf-8"))
    orphaned = about["decisions on codes the codebook no longer has"]
    assert orphaned.startswith("1 on 1 statements (loe.capacity_resources)")
    briefing = (project.outputs / "2026-03-12" / "briefing.html").read_text(encoding="utf-8")
    assert "decisions on codes the codebook no longer has" in briefing
    workspace.review_export(tmp_path / "again.xlsx")
    sheet = load_workbook(tmp_path / "again.xlsx")["Review"]
    header = [c.value for c in sheet[1]]
    offered = {dict(zip(header, r, strict=True))["segment_id"] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert decided["segment_id"] in offered
