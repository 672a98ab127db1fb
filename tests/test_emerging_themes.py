"""Emerging themes in each night's report: found among what no code holds, placed against the framework, tracked
from night to night; the framework's coverage by agency; a theme drafted as a code or a hypothesis."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from conftest import WEEK_START
from qualcode.codebook import load_codebook
from qualcode.errors import BadDecisions
from qualcode.project import Project
from qualcode.themes.analysis import Themes
from qualcode.themes.coverage import framework_coverage
from qualcode.themes.filters import keyword_stop_words, keyword_tokens, singular
from qualcode.themes.framing import LOOSE, NEAR, OUTSIDE, frame_themes
from qualcode.themes.model import said_together
from qualcode.themes.tracking import GROWING, NEW, STEADY, track_themes
from qualcode.workspace import Workspace
from qualcode.workspace.codebooks import with_code
from qualcode.workspace.emerging import EMERGING, EMERGING_MEMBERS, latest_themes, sample
from qualcode.workspace.reports import Report

Week = tuple[Project, list[Report]]
CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "safeguarding_lines_of_enquiry.yaml"
ABOUT_INTERPRETERS = re.compile(r"interpret|translat|\bEnglish\b", re.IGNORECASE)


def _themes(groups: dict[int, list[str]], label: str = "a theme") -> Themes:
    """Themes as `find_themes` returns them, for statements s1, s2 ... grouped by hand."""
    members = pd.DataFrame([{"segment_id": s, "theme": t, "source_id": f"src-{s}", "role": "r", "agency": "a",
                             "text": s, "speaker": "x", "start": 0, "end": 1, "left_out": ""}
                            for t, ids in groups.items() for s in ids])
    themes = pd.DataFrame([{"theme": t, "label": f"{label} {t}", "keywords": "word", "statements": len(ids),
                            "roles": "r", "agencies": "a"} for t, ids in groups.items()])
    quotes = members.assign(rank=1, confidence=1.0)[["theme", "rank", "segment_id", "source_id", "start", "end",
                                                     "role", "confidence", "text"]]
    return Themes(themes=themes, members=members, quotes=quotes)


def _framing(groups: dict[int, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"theme": t, "place": OUTSIDE, "framework_words": 0.0, "named": 1.0, "near_code": ""}
                         for t in groups])


def test_a_theme_keeps_its_identity_as_it_grows_and_a_new_one_never_takes_a_faded_ones() -> None:
    first_groups = {0: ["s1", "s2", "s3", "s4"], 1: ["s5", "s6", "s7"]}
    first = track_themes(_themes(first_groups), _framing(first_groups), "2026-03-09", pd.DataFrame(
        columns=["theme_id", "since"]), pd.DataFrame(columns=["theme_id", "segment_id"]))
    assert list(first.themes["theme_id"]) == ["E1", "E2"] and set(first.themes["status"]) == {NEW}
    # tonight BERTopic numbers them the other way round; the first grew, the second is gone, one is new
    second_groups = {0: ["s8", "s9", "s10"], 1: ["s1", "s2", "s3", "s11", "s12"]}
    second = track_themes(_themes(second_groups), _framing(second_groups), "2026-03-10", first.themes,
                          first.members, last_id=2)
    rows = second.themes.set_index("theme_id")
    assert rows.loc["E1", "status"] == GROWING and rows.loc["E1", "since"] == "2026-03-09"
    assert rows.loc["E1", "new_statements"] == 2 and rows.loc["E1", "statements"] == 5
    assert rows.loc["E3", "status"] == NEW and rows.loc["E3", "since"] == "2026-03-10"  # not E2: that one faded
    assert list(second.faded["theme_id"]) == ["E2"]
    assert set(second.members.loc[second.members["theme_id"] == "E1", "segment_id"]) == {"s1", "s2", "s3", "s11",
                                                                                         "s12"}
    third = track_themes(_themes(second_groups), _framing(second_groups), "2026-03-11", second.themes,
                         second.members, last_id=3)
    assert set(third.themes["status"]) == {STEADY} and list(third.themes["theme_id"]) == ["E1", "E3"]


def test_a_theme_is_outside_the_framework_when_the_codebook_never_uses_its_words() -> None:
    codebook = load_codebook(CODEBOOK)
    said = {0: ["We waited days for an interpreter.", "The interpreter never came, so her son interpreted.",
                "Nobody booked an interpreter for the mother."],
            1: ["Supervision is monthly but it is a list.", "My supervision is regular, not reflective.",
                "Supervision happens, recording lags."],
            2: ["It rained all week.", "The car park was full.", "Lunch was late."]}
    members = pd.DataFrame([{"segment_id": f"{t}-{n}", "theme": t, "text": text}
                            for t, texts in said.items() for n, text in enumerate(texts)])
    themes = pd.DataFrame({"theme": [0, 1, 2], "keywords": [
        "interpreter, mother, booked", "supervision, reflective, recording", "weather, parking, food"]})
    codings = pd.DataFrame({"segment_id": ["1-0", "1-1", "0-0"], "code_id": ["loe.frontline_practice"] * 2 + [
        "loe.outcomes_voice"], "confidence": [0.6, 0.7, 0.6], "assigned": [True] * 3, "method": ["machine"] * 3})
    stop_words = keyword_stop_words()
    placed = frame_themes(themes, members, members["text"].map(lambda t: keyword_tokens(t, stop_words)), codings,
                          codebook).set_index("theme")
    assert placed.loc[0, "place"] == OUTSIDE and placed.loc[0, "framework_words"] < 0.5
    assert placed.loc[1, "place"] == NEAR and placed.loc[1, "near_code"] == "loe.frontline_practice"
    assert placed.loc[2, "place"] == LOOSE  # no statement says more than one of its words


def test_keywords_fold_plurals_drop_spoken_numbers_and_pairs_said_once() -> None:
    assert [singular(w) for w in ("interpreters", "families", "caseloads", "churches", "news", "process",
                                  "status", "series", "children")] == [
        "interpreter", "family", "caseload", "church", "news", "process", "status", "series", "children"]
    tokens = keyword_tokens("About twentyfour per cent of the interpreters, eighty nine families", keyword_stop_words())
    assert tokens == ["interpreter", "family"]
    statements = [["booked", "interpreter", "late"], ["interpreter", "late"], ["interpreter", "took"]]
    assert said_together(["interpreter", "interpreter late", "interpreter took"], statements) == [
        "interpreter", "interpreter late"]


def test_coverage_is_the_share_of_each_agencys_statements_a_code_holds_day_by_day() -> None:
    segments = pd.DataFrame({"segment_id": list("abcdef"), "agency": ["health", "health", "health", "police", None,
                                                                      "police"],
                             "date": ["2026-03-11", "2026-03-11", "2026-03-12", "2026-03-12", "2026-03-12", None]})
    codings = pd.DataFrame({"segment_id": ["a", "b", "c", "d", "d"], "code_id": ["x", "x", "y", "x", "y"],
                            "confidence": [0.9, 0.4, 0.2, 0.3, 0.8], "assigned": [True, True, False, True, True],
                            "method": ["machine", "machine", "human", "machine", "machine"]})
    coverage = framework_coverage(segments, codings, 0.75).set_index(["agency", "day"])
    assert coverage.loc[("health", "2026-03-11"), ["statements", "held"]].tolist() == [2, 1]
    assert coverage.loc[("health", "2026-03-12"), "held"] == 0  # a person's code counts only where it is given
    assert coverage.loc[("police", "2026-03-12"), "share"] == 1.0
    assert coverage.loc[("unknown", "2026-03-12"), "statements"] == 1 and ("police", "") in coverage.index


def test_a_large_pool_is_sampled_by_id_so_the_sample_stays_as_it_grows() -> None:
    pool = pd.DataFrame({"segment_id": [f"src-{i // 40}:{i % 40}" for i in range(4000)], "text": "words"})
    chosen = set(sample(pool, 500)["segment_id"])
    assert len(chosen) == 500 and chosen == set(sample(pool.sample(frac=1.0, random_state=3), 500)["segment_id"])
    grown = pd.concat([pool, pd.DataFrame({"segment_id": [f"new-{i}" for i in range(400)], "text": "more"})])
    kept = set(sample(grown, 500)["segment_id"])
    assert len(kept & chosen) >= 400  # a tenth more statements displace about a tenth of the sample
    assert sample(pool, 5000) is pool


def test_a_new_code_is_refused_with_a_message_that_names_the_field_not_the_value() -> None:
    codebook = load_codebook(CODEBOOK)
    made = with_code(codebook, {"id": "emerging.interpreters", "label": "Interpreters", "definition": "Language.",
                                "examples": ["We waited for an interpreter."]})
    assert made.version == f"{codebook.version}+1" and made.code("emerging.interpreters").examples
    with pytest.raises(BadDecisions, match="already has a code"):
        with_code(made, {"id": "emerging.interpreters", "label": "Again", "definition": "Again."})
    with pytest.raises(BadDecisions) as refused:
        with_code(codebook, {"id": "Sinead O'Rourke", "label": "x", "definition": "y"})
    assert "id" in refused.value.message and "Sinead" not in str(refused.value)


class _Rows(HTMLParser):
    """The briefing's emerging-theme rows (data-theme, data-status, text) and its coverage rows (data-agency)."""

    def __init__(self) -> None:
        super().__init__()
        self.themes: dict[str, dict[str, str]] = {}
        self.agencies: list[str] = []
        self.too_few = False
        self._row: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("class") == "theme":
            self._row = {"status": str(found["data-status"]), "text": ""}
            self.themes[str(found["data-theme"])] = self._row
        elif tag == "tr" and "data-agency" in found:
            self.agencies.append(str(found["data-agency"]))
        elif tag == "p" and found.get("class") == "too-few":
            self.too_few = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row["text"] += data


def _briefing(report: Report) -> _Rows:
    rows = _Rows()
    rows.feed(report.briefing.read_text(encoding="utf-8"))
    return rows


def test_the_planted_interpreter_thread_emerges_when_its_second_voice_speaks_and_keeps_its_identity(
        review_week_reports: Week) -> None:
    """corpora/samples/review_week/README.md: one social worker on day 1, the board and a team manager on day 2,
    health and the voluntary sector on day 3, police and health on day 4. None of the lines of enquiry names it."""
    _, reports = review_week_reports
    identities = []
    for report in reports[1:]:  # from day 2, its second voice
        themes = report.themes.tracked.themes
        outside = themes[(themes["place"] == OUTSIDE) & themes["label"].str.contains("interpret")]
        assert len(outside) == 1, themes[["theme_id", "place", "label"]]
        theme = outside.iloc[0]
        members = report.themes.tracked.members
        texts = report.analysis.segments.set_index("segment_id").loc[
            members.loc[members["theme_id"] == theme["theme_id"], "segment_id"], "text"]
        assert texts.str.contains(ABOUT_INTERPRETERS).mean() >= 0.8  # the theme is the thread, not a mixture
        assert theme["agency_count"] >= 2
        shown = _briefing(report).themes
        assert shown[theme["theme_id"]]["status"] == theme["status"] and "interpret" in shown[theme["theme_id"]][
            "text"]
        quotes = report.themes.tracked.quotes
        assert quotes.loc[quotes["theme_id"] == theme["theme_id"], "text"].str.contains(ABOUT_INTERPRETERS).all()
        identities.append((theme["theme_id"], theme["since"], theme["status"], int(theme["statements"])))
        summary = json.loads((report.folder / "about.json").read_text())["summary"]
        assert summary["themes"]["outside"] >= 1  # in counts only: a flow's artifact and logs carry it
        assert "interpret" not in json.dumps(summary)
    assert len({theme_id for theme_id, *_ in identities}) == 1, identities
    assert {since for _, since, *_ in identities} == {(WEEK_START + dt.timedelta(days=1)).isoformat()}
    assert identities[0][2] == NEW and all(status == GROWING for _, _, status, _ in identities[1:])
    assert [n for *_, n in identities] == sorted(n for *_, n in identities)
    # the framework's coverage, by agency, in every briefing
    for report in reports:
        agencies = set(report.analysis.segments["agency"].dropna())
        assert set(_briefing(report).agencies) == agencies
        coverage = pd.read_csv(report.folder / "framework_coverage.csv")
        assert coverage["statements"].sum() == len(report.analysis.segments)


def test_tomorrows_report_depends_on_todays_themes_and_a_rebuild_keeps_them(review_week_reports: Week,
                                                                           tmp_path: Path) -> None:
    from qualcode.workspace.reports import build_report, report_is_current

    project, reports = review_week_reports
    copy = Project.open(Path(shutil.copytree(project.root, tmp_path / "copy")))
    day3, day4 = reports[2].analysis.as_of, reports[3].analysis.as_of
    assert report_is_current(copy, day4)
    again = build_report(copy, day3)
    for name in (EMERGING, EMERGING_MEMBERS):
        assert (again.folder / name).read_bytes() == (reports[2].folder / name).read_bytes(), name
    assert report_is_current(copy, day4)  # the same themes: nothing for day 4 to rebuild
    members = copy.outputs / day3.isoformat() / EMERGING_MEMBERS
    members.write_text(members.read_text().replace("E", "X"))
    assert not report_is_current(copy, day4)  # other identities yesterday: today's must be given again
    found = latest_themes(copy)
    assert found.day == day4 and len(found.themes) == len(reports[3].themes.tracked.themes)


def test_a_small_project_says_it_is_too_small_for_themes(review_week_project: Project, tmp_path: Path) -> None:
    """With fewer statements outside the framework than themes need, the briefing says so rather than show noise
    (and no model is loaded to find that out)."""
    copy = Project.open(Path(shutil.copytree(review_week_project.root, tmp_path / "small")))
    config = copy.root / "qualcode.yaml"
    config.write_text(config.read_text() + "themes:\n  min_statements: 5000\n")
    workspace = Workspace.open(copy.root)
    report = workspace.report(WEEK_START)
    assert report.themes is not None and report.themes.tracked is None
    assert "at least 5000" in report.themes.too_few
    assert report.themes.outside == 0  # nothing is coded yet: not outside the framework, waiting for the coding
    assert _briefing(report).too_few and not (report.folder / EMERGING).exists()
    assert (report.folder / "framework_coverage.csv").is_file()
