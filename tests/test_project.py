"""The project folder: created once and then left alone, settings refused with the setting and its line, the
pseudonym key kept out of outputs/, and whether the store is in use (holds pseudonymised text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.anonymise.detector import Detector
from qualcode.errors import BadConfig, NotAProject
from qualcode.project import CONFIG_NAME, Project, init_project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace.ingest import ingest_inbox


def _edit(project: Project, old: str, new: str) -> Path:
    config = project.root / CONFIG_NAME
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")
    return config


def test_init_leaves_an_existing_project_exactly_as_it_is(tmp_path: Path) -> None:
    project = init_project(tmp_path / "p", name="Review week")
    assert project.config.name == "Review week" and project.store_path.is_file()
    config = _edit(project, "threshold: 0.35", "threshold: 0.4")
    project.store_path.write_bytes(b"not touched")
    project.outputs.rmdir()
    again = init_project(project.root, name="Another name")
    assert again.config.name == "Review week" and again.config.coding.threshold == 0.4
    assert "threshold: 0.4" in config.read_text(encoding="utf-8")
    assert project.store_path.read_bytes() == b"not touched"
    assert again.outputs.is_dir()  # a folder the team deleted comes back, empty


def test_a_folder_without_settings_is_not_a_project(tmp_path: Path) -> None:
    with pytest.raises(NotAProject):
        Project.open(tmp_path)


@pytest.mark.parametrize(("old", "new", "words", "line_of"), [
    ("threshold: 0.35", "threshold: high", "`coding.threshold`", "threshold: high"),
    ("min_words: 4", "min_word: 4", "`segmentation.min_word`", "min_word: 4"),
    ("version: 1", "version: [1", "not valid YAML", None),
])
def test_a_bad_setting_is_refused_with_its_name_and_line(tmp_path: Path, old: str, new: str, words: str,
                                                         line_of: str | None) -> None:
    config = _edit(init_project(tmp_path), old, new)
    with pytest.raises(BadConfig) as raised:
        Project.open(tmp_path)
    assert words in str(raised.value) and raised.value.path == config
    lines = config.read_text(encoding="utf-8").splitlines()
    if line_of is not None:
        assert raised.value.line == next(n for n, line in enumerate(lines, start=1) if line_of in line)
    else:
        assert raised.value.line is not None


def test_the_settings_must_be_a_mapping(tmp_path: Path) -> None:
    init_project(tmp_path)
    (tmp_path / CONFIG_NAME).write_text("- version: 1\n", encoding="utf-8")
    with pytest.raises(BadConfig, match="mapping") as raised:
        Project.open(tmp_path)
    assert raised.value.line == 1


@pytest.mark.parametrize("key_file", ["outputs/pseudonym-key.csv", "outputs/private/key.csv", "inbox/key.csv",
                                      "inbox/day1/key.csv", "cache/key.csv"])
def test_the_pseudonym_key_is_never_kept_under_outputs_inbox_or_cache(tmp_path: Path, key_file: str) -> None:
    """outputs/ is what the team shares, the inbox is ingested, the cache is deleted at will; the key maps
    placeholders back to people."""
    config = _edit(init_project(tmp_path), "key_file: private/pseudonym-key.csv", f"key_file: {key_file}")
    with pytest.raises(BadConfig, match="key_file") as raised:
        Project.open(tmp_path)
    line = next(n for n, text in enumerate(config.read_text().splitlines(), start=1) if "key_file:" in text)
    assert raised.value.line == line
    config.write_text(config.read_text().replace(f"key_file: {key_file}", "key_file: elsewhere/key.csv"))
    assert Project.open(tmp_path).key_path == (tmp_path / "elsewhere" / "key.csv").resolve()


def test_the_store_is_in_use_once_it_holds_a_source(tmp_path: Path, segmenter: Segmenter,
                                                    detector: Detector) -> None:
    project = init_project(tmp_path)
    assert not project.store_in_use()  # the empty file init leaves
    with Store(project.store_path):
        pass
    assert project.store_path.stat().st_size > 0 and not project.store_in_use()  # tables, no rows
    (project.inbox / "one.txt").write_text("Director: We rewrote the escalation protocol with health.\n")
    ingest_inbox(project, segmenter=segmenter, detector=detector)
    before = project.store_path.read_bytes()
    assert project.store_in_use()
    assert project.store_path.read_bytes() == before  # asking changes nothing
