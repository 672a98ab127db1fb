"""Emerging themes on the evaluation sample: a code removed from the codebook comes back as a proposed theme."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from conftest import GOLD
from qualcode.cli import EXIT_UNUSABLE, app
from qualcode.codebook import Codebook, load_codebook, resolve_codebook_path
from qualcode.errors import TooFewStatements
from qualcode.nlp import lemma_pipeline
from qualcode.project import Project
from qualcode.store import Store
from qualcode.themes import ThemeSettings, find_themes
from qualcode.themes.filters import (
    BACKCHANNEL,
    NO_SUBJECT,
    OTHER_LANGUAGE,
    SPOKEN_FILLERS,
    backchannels,
    foreign_stop_words,
    keyword_stop_words,
    keyword_tokens,
    other_language,
    singular,
)
from qualcode.themes.model import TopicModel
from qualcode.workspace.coding import code_project
from qualcode.workspace.themes import PROPOSED, ThemeReport, project_themes

runner = CliRunner()
REMOVED = "recommendation.follow_up"


@pytest.fixture(scope="module")
def without_follow_up(evaluation_project: Project, tmp_path_factory: pytest.TempPathFactory
                      ) -> tuple[Project, ThemeReport]:
    """The evaluation sample coded with the evaluation codebook minus one code, then themes with --propose."""
    root = Path(shutil.copytree(evaluation_project.root, tmp_path_factory.mktemp("themes") / "project"))
    book = yaml.safe_load(resolve_codebook_path("peer_review_evaluation").read_text())
    book["codes"] = [c for c in book["codes"] if c["id"] != REMOVED]
    book["version"] = f"{book['version']}-without-follow-up"
    (root / "book.yaml").write_text(yaml.safe_dump(book, sort_keys=False))
    config = root / "qualcode.yaml"
    config.write_text(config.read_text().replace("codebook: safeguarding_lines_of_enquiry", "codebook: book.yaml"))
    project = Project.open(root)
    code_project(project)
    return project, project_themes(project, low_confidence=0.5, propose=True)


@pytest.mark.slow
def test_a_removed_codes_statements_cluster_into_a_proposed_theme(without_follow_up: tuple[Project, ThemeReport]
                                                                  ) -> None:
    _, found = without_follow_up
    gold = pd.read_csv(GOLD / "evaluation_gold.csv", dtype=str)
    labelled = found.emerging.members.merge(gold[["segment_id", "code_id"]], on="segment_id")
    best = max(found.emerging.themes["theme"], key=lambda t: int(
        ((labelled["theme"] == t) & (labelled["code_id"] == REMOVED)).sum()))
    inside = labelled[labelled["theme"] == best]
    hits = int((inside["code_id"] == REMOVED).sum())
    elsewhere = labelled[(labelled["theme"] != best) & (labelled["theme"] >= 0) & (labelled["code_id"] == REMOVED)]
    # Of the 9 gold statements of the removed code, about half are left uncovered: read in their answers, the rest are
    # held by a neighbouring code. Those gathered in themes, most in one, is what a team would notice. The layout
    # moves with the neighbour graph: on the machine this was tuned on, 3 of 5 gathered in one theme, a third of it;
    # on an AMD EPYC (7 Dec 2026) 2 in one theme (a fifth of it), 1 in each of two others and 1 in none; with
    # neighbours tied the same way every time (the same day), 2 in one theme (half of it), 1 in another and 2 in
    # none. The test asks what holds in all three.
    grouped = hits + len(elsewhere)
    assert hits >= 2 and hits > max(elsewhere["theme"].value_counts(), default=0), inside[["code_id", "text"]]
    assert grouped >= 3 and hits / inside["segment_id"].nunique() >= 0.2, inside[["code_id", "text"]]
    proposed = yaml.safe_load((found.folder / PROPOSED).read_text())
    label = found.emerging.themes.set_index("theme").loc[best, "label"]
    candidate = next(code for code in proposed if code["label"].lower() == label)
    assert candidate["id"].startswith("emerging.") and candidate["examples"] and candidate["definition"]


@pytest.mark.slow
def test_proposed_codes_paste_into_the_codebook_and_themes_reuse_cached_embeddings(
        without_follow_up: tuple[Project, ThemeReport], tmp_path: Path) -> None:
    project, found = without_follow_up
    assert found.embedded == 0  # every statement's vector came from the coding's cache
    book = yaml.safe_load((project.root / "book.yaml").read_text())
    book["codes"] += yaml.safe_load((found.folder / PROPOSED).read_text())
    (tmp_path / "extended.yaml").write_text(yaml.safe_dump(book, sort_keys=False))
    extended: Codebook = load_codebook(tmp_path / "extended.yaml")
    assert len(extended.leaves) == len(load_codebook(project.root / "book.yaml").leaves) + len(found.emerging.themes)
    for name in ("themes.csv", "theme_quotes.csv", "topic_by_code.csv"):
        assert (found.folder / name).is_file()
    with Store(project.store_path) as store:
        statements = len(store.segments())
    assert found.coverage.to_numpy().sum() == statements  # every statement in one topic row and one code column
    quotes = pd.read_csv(found.folder / "theme_quotes.csv")
    assert {"theme", "segment_id", "source_id", "start", "end", "role", "text"} <= set(quotes.columns)


@pytest.mark.slow
def test_themes_are_deterministic(without_follow_up: tuple[Project, ThemeReport]) -> None:
    project, found = without_follow_up
    again = project_themes(project, low_confidence=0.5, coverage=False)
    assert again.emerging.themes.equals(found.emerging.themes)
    assert list(again.emerging.members["theme"]) == list(found.emerging.members["theme"])


def test_too_few_statements_is_a_clear_error_not_a_crash() -> None:
    import numpy as np

    statements = pd.DataFrame({"segment_id": [str(i) for i in range(8)], "text": ["A statement."] * 8})
    with pytest.raises(TooFewStatements) as raised:
        find_themes(statements, np.ones((8, 4)), ThemeSettings())
    assert "Only 8 statements" in str(raised.value) and raised.value.code == "E406"


def test_the_topic_model_follows_the_scikit_learn_contract() -> None:
    import numpy as np
    from sklearn.base import clone
    from sklearn.utils.estimator_checks import check_no_attributes_set_in_init, check_set_params

    settings = ThemeSettings(min_statements=30, neighbours=5, random_state=7)
    model = TopicModel.from_settings(settings)
    check_no_attributes_set_in_init("TopicModel", model)
    check_set_params("TopicModel", model)
    assert clone(model).get_params() == model.get_params()
    assert {k: v for k, v in model.get_params().items() if k != "embedding_model"} == {
        k: v for k, v in vars(settings).items() if k != "quotes"}
    statements = pd.DataFrame({"text": ["A statement."] * 8})
    with pytest.raises(TooFewStatements, match="at least 30"):
        model.fit(statements, vectors=np.ones((8, 4)))
    with pytest.raises(ValueError, match="vectors"):
        model.fit(statements)


def test_themes_command_refuses_a_tiny_project(review_week_project: Project, tmp_path: Path) -> None:
    root = Path(shutil.copytree(review_week_project.root, tmp_path / "project"))
    result = runner.invoke(app, ["themes", str(root), "--min-statements", "100000", "--no-coverage"])
    assert result.exit_code == EXIT_UNUSABLE and "E406" in result.stderr


BACKCHANNELS = ["Yeah. Okay, perfect.", "Uh, um, yes. Yes.", "Okay, great. Thank you.", "Thank you very much.",
                "Sorry. Can you hear me?", "Uh, That's a good question.", "Hmm, okay. Yeah, that's fine.",
                "Good evening. Bye bye.", "Yeah, yeah, sure, sure, sure.", "Right. Okay. I see."]
WITH_CONTENT = ["Yeah, the training data was badly labelled.", "Okay, so we retrain the model every week.",
                "Thank you, the annotation team found the errors.", "I'm not doing it.",  # a fragment: no marker
                "Uh, we deploy on Azure.", "Perfect, the latency dropped to two minutes."]
FRENCH = ["On est donc dans un sujet de maintenance prédictive.", "Et ça va être des données détaillées.",
          "Donc on a fait un modèle pour un type de moteur d'avion.", "Je vais envoyer ça dans le chat."]


def test_backchannels_are_statements_of_discourse_markers_only() -> None:
    docs = list(lemma_pipeline().pipe(BACKCHANNELS + WITH_CONTENT))
    found = backchannels(docs)
    assert found[:len(BACKCHANNELS)] == [True] * len(BACKCHANNELS)
    assert found[len(BACKCHANNELS):] == [False] * len(WITH_CONTENT)
    long_reply = list(lemma_pipeline().pipe(["Yeah, okay, sure, right, yes, fine, great, perfect, good, cool, "
                                             "thanks, nice, okay, yeah, yes, sure."]))
    assert backchannels(long_reply, max_words=15) == [False]  # a long statement is not a backchannel


def test_statements_in_another_language_are_found_and_short_ones_stay() -> None:
    english = ["We retrain the model every week on the new data.", "The main issue is the quality of the labels."]
    short = ["Yeah.", "Filters.", "Ouais ouais"]  # too short to tell: they stay
    assert other_language(FRENCH + english + short) == [True] * len(FRENCH) + [False] * (len(english) + len(short))


def test_keywords_drop_contractions_repetition_pseudonyms_and_other_languages_stop_words() -> None:
    stop = keyword_stop_words()
    assert keyword_tokens("There's the model's data, the data [PERSON_3] didn't fix, théorie", stop) == [
        "model", "data", "fix", "théorie"]
    assert keyword_tokens("Thanks, thanks. Perfect, I dunno, we've got it", stop) == []
    foreign = foreign_stop_words()
    assert {"et", "du", "en", "la", "und", "der"} <= foreign and stop >= foreign
    assert not {"car", "data", "model"} & foreign  # English words too: never dropped as French
    assert set(SPOKEN_FILLERS) <= stop


SUBJECTS = {
    "labels": ["The annotation team labels the images by hand.", "Label noise from the annotators hurt accuracy.",
               "We relabelled the training images after an annotation audit.",
               "Annotators disagree on the labels of blurry images.",
               "Crowdsourced annotation gave us noisy image labels.",
               "We wrote annotation guidelines so labels stay consistent."],
    "latency": ["Inference latency on the server was too high.", "The model answers in two seconds, too slow.",
                "We cut inference latency by batching the requests.", "Response time of the prediction API matters.",
                "Latency spikes came from the GPU server queue.", "The API must answer in under a hundred "
                "milliseconds."],
    "privacy": ["Data privacy rules limit which customer records we may use.",
                "We anonymise personal data before training.", "The privacy regulation forbids storing raw records.",
                "Customer consent is needed before we use personal data.",
                "Privacy reviews slow down every new data source.", "Personal data must be deleted after a year."],
}


@pytest.mark.slow
def test_themes_leave_out_backchannels_and_other_languages_and_label_by_phrases() -> None:
    from qualcode.coders.embedder import Embedder

    texts = [t for ts in SUBJECTS.values() for t in ts for _ in range(2)] + BACKCHANNELS + FRENCH
    statements = pd.DataFrame({"segment_id": [str(i) for i in range(len(texts))], "text": texts,
                               "role": "interviewee", "agency": "unknown", "speaker": "interviewee", "source_id": "s",
                               "start": 0, "end": 1})
    embedder = Embedder()
    vectors = embedder.encode(texts)
    settings = ThemeSettings(min_theme_size=4, neighbours=5)
    found = find_themes(statements, vectors, settings, embedding_model=embedder.embedding_backend)
    assert found.left_out == {BACKCHANNEL: len(BACKCHANNELS), OTHER_LANGUAGE: len(FRENCH), NO_SUBJECT: 0}
    left = found.members[found.members["left_out"] != ""]
    assert set(left["text"]) == set(BACKCHANNELS + FRENCH) and (left["theme"] == -1).all()
    assert len(found.themes) >= 2
    said = {w.lower().strip(".,") for ts in SUBJECTS.values() for t in ts for w in t.split()}
    vocabulary = said | {singular(w) for w in said}  # a plural's keyword is its singular
    for label, keywords in zip(found.themes["label"], found.themes["keywords"], strict=True):
        words = {w for phrase in keywords.split(", ") for w in phrase.split()}
        assert words <= vocabulary and not words & keyword_stop_words(), (label, keywords)
    assert any(" " in k for ks in found.themes["keywords"] for k in ks.split(", "))  # phrases, not only words
    again = find_themes(statements, vectors, settings, embedding_model=embedder.embedding_backend)
    assert again.themes.to_dict("records") == found.themes.to_dict("records"), (again.themes, found.themes)


def test_umaps_compiled_code_is_kept_on_disk_for_the_next_process() -> None:
    """UMAP compiles its parallel functions without numba's cache: 10 to 13 s of every nightly report, again in
    every process. Once the theme model has asked for it, they are kept on disk."""
    import umap.umap_

    from qualcode.themes.model import compiled_once

    compiled_once()
    umap.umap_.smooth_knn_dist(np.random.default_rng(0).random((20, 5)).astype(np.float32), 5.0)
    cache = Path(umap.umap_.smooth_knn_dist._cache.cache_path)
    assert list(cache.glob("*smooth_knn_dist*.nbi")) and list(cache.glob("*smooth_knn_dist*.nbc"))
