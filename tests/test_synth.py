"""The synthetic corpus generator: deterministic, realistic in shape, readable by qualcode, never overwriting."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.anonymise.detector import Detector
from qualcode.cli import EXIT_OK, EXIT_UNUSABLE, app
from qualcode.errors import OutputExists
from qualcode.project import init_project
from qualcode.segment import Segmenter
from qualcode.synth import MEAN_CHARS, TurnPool, synthesise, write_corpus
from qualcode.workspace.ingest import ingest_inbox, read_folder


@pytest.fixture(scope="module")
def pool() -> TurnPool:
    return TurnPool.from_samples()


def test_the_same_seed_writes_the_same_corpus_and_another_seed_does_not(pool: TurnPool) -> None:
    first, again, other = (list(synthesise(pool, 30, seed)) for seed in (7, 7, 8))
    assert first == again
    assert [text for _, text in first] != [text for _, text in other]
    assert len({name for name, _ in first}) == 30


def test_sources_vary_in_site_voice_and_type_and_average_about_8000_characters(tmp_path: Path,
                                                                               pool: TurnPool) -> None:
    write_corpus(tmp_path / "corpus", 200, seed=3, pool=pool)
    sources = list(read_folder(tmp_path / "corpus"))
    assert len(sources) == 200  # every file reads back
    lengths = [len(s.text) for s in sources]
    assert 0.8 * MEAN_CHARS < statistics.mean(lengths) < 1.2 * MEAN_CHARS
    assert min(lengths) >= 1_500 and max(lengths) <= 30_000
    assert len({s.meta.site for s in sources}) == 8  # about 25 sources to a site
    assert {s.meta.source_type for s in sources} == {"interview", "focus_group"}
    voices = {(t.role, t.agency) for s in sources for t in s.turns if not t.is_interviewer}
    assert len(voices) >= 12 and all("unknown" not in voice for voice in voices)
    # every answer is a turn some sample speaker with that role and agency really gave
    real = {(role, agency): set(answers) for corpus in pool.corpora.values()
            for (role, agency), exchanges in corpus.items() for answers in [[a for _, a in exchanges]]}
    for source in sources[:20]:
        for turn in source.turns:
            if not turn.is_interviewer:
                assert " ".join(source.text[turn.start:turn.end].split()) in real[(turn.role, turn.agency)]


def test_a_synthetic_corpus_ingests_through_the_anonymisation_gate(tmp_path: Path, pool: TurnPool,
                                                                   segmenter: Segmenter, detector: Detector) -> None:
    project = init_project(tmp_path / "project")
    write_corpus(project.inbox / "synthetic", 4, seed=1, pool=pool)
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert len(report.added) == 4 and not report.set_aside
    assert all(outcome.segments > 10 for outcome in report.added)


def test_an_existing_folder_is_never_written_into(tmp_path: Path, pool: TurnPool) -> None:
    out = tmp_path / "corpus"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    with pytest.raises(OutputExists):
        write_corpus(out, 3, pool=pool)
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    result = CliRunner().invoke(app, ["synth", "--sources", "3", "--out", str(out)])
    assert result.exit_code == EXIT_UNUSABLE and "E208" in result.output


def test_the_command_writes_the_corpus(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "--sources", "5", "--out", str(tmp_path / "c"), "--seed", "2"])
    assert result.exit_code == EXIT_OK, result.output
    assert len(list((tmp_path / "c").rglob("*.txt"))) == 5
    assert "5 synthetic sources" in result.output


def test_each_source_draws_its_questions_from_one_corpus(pool: TurnPool) -> None:
    questions = {name: {q for exchanges in corpus.values() for q, _ in exchanges}
                 for name, corpus in pool.corpora.items()}
    assert set(questions) == {"review_week", "evaluation"}
    for _, text in synthesise(pool, 40, seed=5):
        asked = {line.removeprefix("Interviewer: ") for line in text.splitlines() if line.startswith("Interviewer: ")}
        assert asked and sum(asked <= corpus for corpus in questions.values()) >= 1


def test_a_corpus_with_no_usable_exchanges_is_refused() -> None:
    with pytest.raises(ValueError, match="known role and agency"):
        TurnPool.from_corpora({"nothing": []})
