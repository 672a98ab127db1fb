"""Statements: exact offsets, sensible lengths, the question as context, on real spaCy."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import EVALUATION, REVIEW_WEEK, sample_files
from qualcode.ingest import read_source
from qualcode.project import Project
from qualcode.segment import SegmentationSettings, Segmenter, blind
from qualcode.store import Store


def _segments(segmenter: Segmenter, text: str, name: str = "t.txt"):  # type: ignore[no-untyped-def]
    source, _ = read_source(Path(name), text.encode(), name=name)
    return source, segmenter.segment(source)


def test_offsets_point_at_the_exact_words_in_every_sample(segmenter: Segmenter) -> None:
    checked = 0
    for path in sample_files(REVIEW_WEEK, EVALUATION):
        source, _ = read_source(path, path.read_bytes(), name=path.name)
        for segment in segmenter.segment(source):
            assert source.text[segment.start:segment.end] == segment.text
            assert segment.text == segment.text.strip() and segment.text
            checked += 1
    assert checked > 500


def test_short_sentences_join_a_neighbour_and_lone_answers_stay(segmenter: Segmenter) -> None:
    _, segments = _segments(segmenter, (
        "Interviewer: Is supervision regular?\n"
        "Team Manager: Yes. It happens monthly for every worker in the team. Um. "
        "But it is mostly case management rather than reflection on the work.\n"
        "Interviewer: Reflective?\nTeam Manager: Not really.\n"))
    assert [s.text for s in segments] == [
        "Yes. It happens monthly for every worker in the team.",
        "Um. But it is mostly case management rather than reflection on the work.",
        "Not really.",
    ]
    assert [s.question for s in segments] == ["Is supervision regular?"] * 2 + ["Reflective?"]
    assert {s.turn_index for s in segments} == {1, 3}


def test_long_statements_are_cut_at_clause_boundaries(segmenter: Segmenter) -> None:
    clause = "we had agency workers covering the duty rota for most of the year"
    long_sentence = "Head of Service: " + "; ".join([clause] * 20) + ".\n"
    source, segments = _segments(segmenter, long_sentence)
    assert len(segments) >= 3
    assert all(len(s.text) <= 600 for s in segments)
    assert all(s.text.endswith(";") for s in segments[:-1])
    assert all(source.text[s.start:s.end] == s.text for s in segments)
    assert "".join(s.text for s in segments).replace(" ", "") == (
        source.text[source.turns[0].start:source.turns[0].end].replace(" ", ""))


def test_interviewer_turns_are_context_unless_asked_for(segmenter: Segmenter) -> None:
    text = "Interviewer: What about the board and its scrutiny?\nChair: It is stronger than people think now.\n"
    _, default = _segments(segmenter, text)
    assert [s.role for s in default] == ["unknown"]
    everything = Segmenter(segmenter.nlp, SegmentationSettings(include_interviewer=True))
    source, _ = read_source(Path("t.txt"), text.encode(), name="t.txt")
    assert [s.role for s in everything.segment(source)] == ["interviewer", "unknown"]


def test_a_long_messy_auto_transcript_segments_completely(segmenter: Segmenter) -> None:
    fragment = ("interviewee: um so yeah the the front door is uh it's better than it was you know because "
                "we've got health in there now three days\ninterviewee: a week and the police come to most "
                "strategy discussions but not all of them\n")
    text = "interviewer: tell me about the front door\n" + fragment * 250
    assert len(text.encode()) > 50_000
    source, segments = _segments(segmenter, text)
    assert len(source.turns) == 2
    covered = sum(len(s.text) for s in segments)
    assert covered >= 0.99 * (source.turns[1].end - source.turns[1].start)
    assert all(len(s.text) <= 600 for s in segments)


def test_review_week_statements_carry_role_agency_and_question(review_week_project: Project) -> None:
    with Store(review_week_project.store_path) as store:
        frame = store.segments()
        sources = store.sources()
    assert len(sources) >= 16
    assert (frame["role"] != "unknown").mean() > 0.95
    assert (frame["agency"] != "unknown").mean() > 0.95
    interviews = frame[frame["source_type"].isin(["interview", "focus_group"])]
    assert interviews["question"].notna().mean() > 0.9
    assert {"health", "police", "education", "voluntary sector", "children's social care"} <= set(frame["agency"])


def test_a_placeholder_is_never_cut_across_two_statements() -> None:
    from qualcode.segment import _keep_placeholders_whole

    body = "He was leaving care [PERSON_1] was there. Then it ended."
    cut = body.index("PERSON_1")  # a splitter that broke inside the placeholder
    spans = [(0, cut), (cut, body.index(" Then")), (body.index("Then"), len(body))]
    whole = _keep_placeholders_whole(spans, body)
    assert [body[a:b] for a, b in whole] == ["He was leaving care [PERSON_1] was there.", "Then it ended."]


def test_segments_of_an_anonymised_source_hold_whole_placeholders(review_week_project: Project) -> None:
    from qualcode.anonymise.entities import PLACEHOLDER

    with Store(review_week_project.store_path) as store:
        texts = list(store.segments()["text"])
    assert any(PLACEHOLDER.search(t) for t in texts)
    for text in texts:
        assert text.count("[") == text.count("]") and not re.search(r"\[[A-Z_]*$|^[A-Z_]*_\d+\]", text), text


def test_sentences_do_not_depend_on_how_placeholders_are_numbered(segmenter: Segmenter) -> None:
    """The sentence model reads placeholders without their numbers, so a worker whose gate numbered them its own
    way finds exactly the sentences the writer would: the statements differ only in the numbers."""
    turns = ("Social Worker: I rang [PERSON_1] on Monday. She said [PERSON_2] had moved to [PLACE_1] with "
             "[PERSON_3]. Nobody told the school, so [SCHOOL_1] kept marking him absent. We found out in June.\n")
    renumbered = re.sub(r"_(\d+)\]", lambda m: f"_{int(m.group(1)) * 37 + 100}]", turns)
    first, second = (_segments(segmenter, text)[1] for text in (turns, renumbered))
    assert len(first) >= 3
    assert [re.sub(r"_\d+\]", "]", s.text) for s in first] == [re.sub(r"_\d+\]", "]", s.text) for s in second]
    # and the blind view maps back onto whole placeholders of the text it was made from
    view, offsets = blind(renumbered)
    assert "[PERSON]" in view and "_" not in view
    for match in re.finditer(r"\[[A-Z]+\]", view):
        assert re.fullmatch(r"\[[A-Z]+_\d+\]", renumbered[offsets(match.start()):offsets(match.end())])
