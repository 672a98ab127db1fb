"""Codebooks: the two bundled frameworks, and clear errors for broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.codebook import BadCodebook, load_codebook, resolve_codebook_path

EVALUATION_IDS = {
    "reason.reflective_improvement", "reason.specific_focus", "reason.inspection_preparation", "reason.unstated",
    "impact.commitment_drive", "impact.ideas_plans_actions", "impact.learning_reflection",
    "impact.policies_systems", "impact.morale_relations", "impact.partnership_working", "impact.peers",
    "feature.format_structure", "feature.review_team", "feature.communication", "feature.organisational_context",
}
LOE_IDS = {"loe.outcomes_voice", "loe.frontline_practice", "loe.leadership_governance", "loe.partnership_lscb",
           "loe.performance_qa", "loe.capacity_resources"}


def test_bundled_codebooks_keep_the_framework_ids_and_are_rich() -> None:
    evaluation = load_codebook(resolve_codebook_path("peer_review_evaluation"))
    leaves = {c.id for c in evaluation.leaves}
    assert leaves >= EVALUATION_IDS
    assert {c for c in leaves if c.startswith("recommendation.")}
    loe = load_codebook(resolve_codebook_path("safeguarding_lines_of_enquiry"))
    assert {c.id for c in loe.leaves} == LOE_IDS and loe.valence and loe.valence_examples is not None
    for book in (evaluation, loe):
        for code in book.leaves:
            assert len(code.examples) >= 6 and code.definition and code.include and code.exclude, code.id


GOOD = """name: Test
version: "0.1"
codes:
  - id: top
    label: Top
    definition: The parent.
  - id: top.child
    parent: top
    label: Child
    definition: Something specific.
    examples: [An example statement about something specific.]
  - id: top.other
    parent: top
    label: Other
    definition: Something else.
    examples: [An example statement about something else.]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "book.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_codebook_loads_with_leaves_and_parents(tmp_path: Path) -> None:
    book = load_codebook(_write(tmp_path, GOOD))
    assert [c.id for c in book.leaves] == ["top.child", "top.other"] and book.parents == {"top"}
    assert [c.id for c in book.without("top.child").codes] == ["top", "top.other"]


@pytest.mark.parametrize("broken, line, words", [
    (GOOD + "  - id: top.child\n    label: Again\n    definition: Twice.\n", 17, ["Duplicate", "top.child"]),
    (GOOD.replace("parent: top", "parent: nowhere"), 7, ["unknown parent", "nowhere", "top.child"]),
    (GOOD.replace("definition: Something specific.", "definition: '  '"), 7, ["top.child", "definition"]),
    (GOOD + "    patterns:\n      - [{LEMMA: {NOT_AN_OPERATOR: x}}]\n", 12, ["top.other", "pattern"]),
    (GOOD.replace("version: \"0.1\"\n", "version: \"0.1\"\n  bad: [\n"), 3, ["YAML"]),
    (GOOD.replace("id: top.child", "id: Top Child"), 7, ["id"]),
])
def test_codebook_errors_name_the_file_line_and_code(tmp_path: Path, broken: str, line: int,
                                                     words: list[str]) -> None:
    path = _write(tmp_path, broken)
    with pytest.raises(BadCodebook) as caught:
        load_codebook(path)
    message = str(caught.value)
    assert caught.value.path == path and caught.value.line == line, message
    for word in words:
        assert word in message


def test_a_codebook_needs_two_codes_to_choose_between(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.split("  - id: top.other")[0])
    with pytest.raises(BadCodebook) as caught:
        load_codebook(path)
    assert "at least two codes" in str(caught.value)


def test_unknown_codebook_name_is_a_clear_error() -> None:
    with pytest.raises(BadCodebook) as caught:
        resolve_codebook_path("no_such_framework")
    assert "no_such_framework" in str(caught.value)


def test_a_codebook_grows_from_statements_as_a_new_version_beside_the_project(tmp_path: Path) -> None:
    from qualcode.project import Project, init_project
    from qualcode.workspace.codebooks import next_version, save_version, with_examples
    from qualcode.workspace.wiring import project_codebook

    assert next_version("1.2") == "1.2+1" and next_version("1.2+1") == "1.2+2"
    project = init_project(tmp_path / "p")
    config = (project.root / "qualcode.yaml").read_text()
    before = project_codebook(project)
    code = before.leaves[2].id
    grown = with_examples(before, code, ["We meet every week to go through the audits.", before.leaves[2].examples[0]])
    path = save_version(project, grown)
    after = project_codebook(Project.open(project.root))
    assert path.parent == project.root / "codebooks" and after.version == next_version(before.version)
    mine = next(c for c in after.leaves if c.id == code)
    assert mine.examples == [*before.leaves[2].examples, "We meet every week to go through the audits."]
    assert [c.id for c in after.codes] == [c.id for c in before.codes]
    changed = [(a, b) for a, b in zip(config.splitlines(), (project.root / "qualcode.yaml").read_text().splitlines(),
                                       strict=True) if a != b]
    assert len(changed) == 1 and "# a bundled codebook name" in changed[0][1]  # only the value; its note kept
