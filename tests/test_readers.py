"""Each reader on the real sample files, and on the awkward shapes real exports take."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import openpyxl
import pytest

from conftest import EVALUATION, REVIEW_WEEK, sample_files
from qualcode.errors import BadJson, BadTable, CorruptDocument, NoCues, NoSpeech, NoTextColumn, UnknownFormat
from qualcode.ingest import READERS, parse_file, read_source
from qualcode.ingest.indicators import read_indicators
from qualcode.models import ParsedFile

SAMPLES = sample_files(REVIEW_WEEK, EVALUATION)


def read(name: str, data: bytes) -> ParsedFile:
    return parse_file(Path(name), data)


def test_samples_use_every_input_format() -> None:
    found = {p.suffix.lower() for p in SAMPLES}
    assert {".txt", ".md", ".docx", ".pdf", ".vtt", ".srt", ".csv", ".xlsx", ".json"} <= found
    assert found <= set(READERS)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_file_reads_into_speaker_turns(path: Path) -> None:
    if read_indicators(path, path.read_bytes()) is not None:
        return  # performance data: figures, not turns (tests/test_documents.py)
    parsed = parse_file(path, path.read_bytes())
    assert parsed.turns, path
    assert all(t.text.strip() for t in parsed.turns)
    if parsed.source_type == "document":  # a self-evaluation or minutes: its author's, with headings
        assert any(t.is_heading for t in parsed.turns) and not {t.speaker for t in parsed.turns} - {None}
        return
    speakers = {t.speaker for t in parsed.turns if t.speaker}
    if parsed.format not in {"text", "markdown"} or (parsed.metadata and parsed.metadata.get(
            "source_type") != "interviewer_notes"):
        assert speakers, f"{path} has no speaker labels"


def test_plain_text_labels_timestamps_and_continuation_lines() -> None:
    parsed = read("a.txt", (
        b"[00:00:05] Interviewer: How does the front door work?\n"
        b"[00:00:12] Head of Service: Honestly, it has improved.\n"
        b"The nurse is in three days a week.\n"
        b"\n"
        b"Interviewer: And the police?\n"))
    assert [(t.speaker, t.timestamp, t.line) for t in parsed.turns] == [
        ("Interviewer", "00:00:05", 1), ("Head of Service", "00:00:12", 2), ("Interviewer", None, 5)]
    assert parsed.turns[1].text == "Honestly, it has improved.\nThe nurse is in three days a week."


def test_a_bare_timestamp_with_hours_before_a_label_is_a_timestamp() -> None:
    parsed = read("a.txt", b"00:00:05 ruth: so this is the front door\n0:01:41 yot officer: and the police\n"
                           b"10:30 is when we met: fine\n")
    assert [(t.speaker, t.timestamp) for t in parsed.turns] == [("ruth", "00:00:05"), ("yot officer", "00:01:41")]
    assert parsed.turns[1].text.endswith("10:30 is when we met: fine")


def test_auto_transcript_with_lowercase_labels_and_split_turns_joins_fragments() -> None:
    data = (b"interviewer: so tell me about the um\ninterviewer: front door\n"
            b"interviewee: yeah so what we did was uh we set up the\n"
            b"interviewee: front door with police and health\n")
    source, _ = read_source(Path("auto.txt"), data, name="auto.txt")
    assert [(t.speaker, t.is_interviewer) for t in source.turns] == [("interviewer", True),
                                                                     ("interviewee", False)]
    body = source.text[source.turns[1].start:source.turns[1].end]
    assert body == "yeah so what we did was uh we set up the front door with police and health"


def test_a_colon_in_a_long_sentence_is_not_a_speaker() -> None:
    parsed = read("a.txt", b"Chair: We agreed one thing at the board last month: escalation works.\n"
                           b"Chair: It does.\n")
    assert [t.speaker for t in parsed.turns] == ["Chair", "Chair"]
    assert parsed.turns[0].text.endswith("last month: escalation works.")


def test_markdown_bold_labels_and_headings() -> None:
    parsed = read("a.md", b"# Focus group\n\n**Interviewer:** What works?\n\n**DSL:** The forum.\n")
    assert [(t.speaker, t.text) for t in parsed.turns] == [("Interviewer", "What works?"), ("DSL", "The forum.")]


def _docx_bytes(paragraphs: list[tuple[str, str | None]]) -> bytes:
    document = docx.Document()
    styles = document.styles
    if "Question" not in [s.name for s in styles]:
        styles.add_style("Question", 1)
    for text, style in paragraphs:
        if style == "Heading 1":
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_question_style_and_name_prefixes() -> None:
    data = _docx_bytes([("Interview notes", "Heading 1"), ("What changed after the review?", "Question"),
                        ("We rewrote the threshold document.", None), ("It took six weeks.", None),
                        ("Researcher: And the board?", None), ("Chair: Stronger now.", None)])
    parsed = read("a.docx", data)
    assert [(t.speaker, t.is_question) for t in parsed.turns] == [
        (None, True), (None, False), ("Researcher", False), ("Chair", False)]
    assert parsed.turns[1].text == "We rewrote the threshold document.\nIt took six weeks."


def test_truncated_docx_is_refused() -> None:
    data = _docx_bytes([("Chair: Stronger now.", None)])
    with pytest.raises(CorruptDocument) as caught:
        read("cut.docx", data[: len(data) // 2])
    assert "cut.docx" in str(caught.value)


def test_vtt_voice_tags_and_cues_split_mid_sentence() -> None:
    data = (b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>What works?\n\n"
            b"00:00:04.000 --> 00:00:06.000\n<v DSL>The forum is good and we\n\n"
            b"00:00:06.000 --> 00:00:08.000\n<v DSL>get feedback on referrals now.\n")
    source, _ = read_source(Path("call.vtt"), data, name="call.vtt")
    assert [t.speaker for t in source.turns] == ["Interviewer", "DSL"]
    turn = source.turns[1]
    assert source.text[turn.start:turn.end] == "The forum is good and we get feedback on referrals now."
    assert turn.timestamp == "00:00:04"


def test_srt_name_prefixes_and_unlabelled_continuation_cues() -> None:
    data = (b"1\n00:00:01,000 --> 00:00:04,000\nInterviewer: What works?\n\n"
            b"2\n00:00:05,000 --> 00:00:06,000\nNurse: Strategy meetings are\n\n"
            b"3\n00:00:06,000 --> 00:00:08,000\nheld without us.\n")
    parsed = read("call.srt", data)
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("Interviewer", "What works?"), ("Nurse", "Strategy meetings are"), ("Nurse", "held without us.")]


@pytest.mark.parametrize("data", [b"WEBVTT\n\n", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", b"not vtt\n"])
def test_vtt_without_cues_is_refused(data: bytes) -> None:
    with pytest.raises(NoCues):
        read("empty.vtt", data)


def test_csv_questions_become_context_and_numbers_are_ignored() -> None:
    data = (b"respondent,role,agency,rating,What is working well?,What would you change?\n"
            b'R01,frontline or middle manager,education,4,"The DSL forum is brilliant.",Feedback on referrals.\n'
            b"R02,councillor,corporate centre,2,,More scrutiny of data.\n")
    parsed = read("q.csv", data)
    pairs = [(t.speaker, t.text, t.is_question, t.line) for t in parsed.turns]
    assert pairs == [
        ("Question", "What is working well?", True, 2), ("R01", "The DSL forum is brilliant.", False, 2),
        ("Question", "What would you change?", True, 2), ("R01", "Feedback on referrals.", False, 2),
        ("Question", "What would you change?", True, 3), ("R02", "More scrutiny of data.", False, 3)]
    assert parsed.speakers["R02"].agency == "corporate centre"


def test_csv_without_text_column_and_ragged_csv_are_refused() -> None:
    with pytest.raises(NoTextColumn) as caught:
        read("scores.csv", b"respondent,rating\nR01,4\nR02,5\n")
    assert "scores.csv" in str(caught.value)
    with pytest.raises(BadTable) as ragged:
        read("ragged.csv", b"respondent,answer\nR01,fine\nR02,too,many,cells\n")
    assert ragged.value.line == 3


def test_xlsx_answers() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Respondent", "Agency", "Score", "What should the review look at?"])
    sheet.append(["R1", "health", 3, "How strategy discussions include health."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = read("q.xlsx", buffer.getvalue())
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("Question", "What should the review look at?"), ("R1", "How strategy discussions include health.")]
    with pytest.raises(CorruptDocument):
        read("bad.xlsx", b"PK\x03\x04 not really a workbook")


def test_json_object_and_list_forms() -> None:
    doc = {"metadata": {"id": "j1", "role": "police officer"},
           "turns": [{"speaker": "Interviewer", "text": "Q?"}, {"speaker": "DI", "text": "A.", "timestamp": "1:02"}]}
    parsed = read("a.json", json.dumps(doc).encode())
    assert parsed.metadata == {"id": "j1", "role": "police officer"}
    assert [(t.speaker, t.timestamp) for t in parsed.turns] == [("Interviewer", None), ("DI", "00:01:02")]
    assert len(read("b.json", b'[{"text": "Just words."}]').turns) == 1
    with pytest.raises(BadJson) as caught:
        read("c.json", b'{"turns": [\n{"text": "a"},\n{"text": }]}')
    assert caught.value.line == 3
    with pytest.raises(BadJson):
        read("d.json", b'{"turns": [{"speaker": "x"}]}')


def test_unknown_extension_and_interviewer_only_files_are_refused() -> None:
    with pytest.raises(UnknownFormat):
        read("report.odt", b"PK\x03\x04")
    with pytest.raises(NoSpeech):
        read_source(Path("q.txt"), b"Interviewer: Anything else?\n", name="q.txt")


def test_short_interviewer_labels_and_notes_with_one_colon_line() -> None:
    source, _ = read_source(Path("a.txt"), b"I: What changed?\nR: The board met monthly.\nInt: And then?\n"
                                           b"R: Then it stopped.\n", name="a.txt")
    assert [t.is_interviewer for t in source.turns] == [True, False, True, False]
    notes = read("notes.txt", b"The front door is busy.\n\nAction: follow up with health.\n\nThe board is strong.\n")
    assert [t.speaker for t in notes.turns] == [None, None, None]


def test_name_and_email_columns_are_not_questions() -> None:
    parsed = read("forms.csv", b"ID,Start time,Name,Email,What works well?\n"
                               b"1,2026-03-01 09:00,Jo Bloggs,jo@example.org,The forum is good.\n")
    assert [t.text for t in parsed.turns] == ["What works well?", "The forum is good."]


def test_docx_tables_text_boxes_headers_and_tracked_changes_are_read() -> None:
    from docx.oxml import parse_xml

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Focus group with the front door team"
    document.add_paragraph("Interviewer: How do referrals reach you?")
    table = document.add_table(rows=3, cols=2)
    for row, (who, words) in zip(table.rows, [("Speaker", "Words"), ("Manager", "Mostly by phone from schools."),
                                              ("Interviewer", "And from health?")], strict=True):
        row.cells[0].text, row.cells[1].text = who, words
    tracked = document.add_paragraph("Manager: We see them ")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    tracked._p.append(parse_xml(f'<w:ins {w} w:id="1" w:author="a"><w:r><w:t>the same day</w:t></w:r></w:ins>'))
    tracked._p.append(parse_xml(f'<w:del {w} w:id="2" w:author="a"><w:r><w:delText> never</w:delText></w:r>'
                                "</w:del>"))
    tracked._p.append(parse_xml(f'<w:r {w}><w:t xml:space="preserve"> now.</w:t></w:r>'))
    boxed = document.add_paragraph("Manager: ")
    boxed._p.append(parse_xml(
        f'<w:r {w} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r>'
        "<w:t>The escalation policy sits in a box on the wall.</w:t></w:r></w:p></w:txbxContent></v:textbox>"
        "</v:shape></w:pict></w:r>"))
    buffer = io.BytesIO()
    document.save(buffer)
    text = "\n".join(t.text for t in read("table.docx", buffer.getvalue()).turns)
    for words in ("Focus group with the front door team", "Mostly by phone from schools.", "And from health?",
                  "We see them the same day now.", "The escalation policy sits in a box on the wall."):
        assert words in text
    assert "never" not in text


def test_xlsx_every_sheet_of_answers_is_read_and_na_is_an_answer() -> None:
    workbook = openpyxl.Workbook()
    ratings = workbook.active
    assert ratings is not None
    ratings.title = "Ratings"
    ratings.append(["Respondent", "Score"])
    ratings.append(["R1", 4])
    for title, answers in (("Staff", ["Supervision is monthly and it helps.", "N/A"]),
                           ("Partners", ["None", "We rarely hear back about referrals."])):
        sheet = workbook.create_sheet(title)
        sheet.append(["What works well?"])
        for answer in answers:
            sheet.append([answer])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = read("survey.xlsx", buffer.getvalue())
    answers = [(t.speaker, t.text) for t in parsed.turns if not t.is_question]
    assert answers == [("Sheet 2 respondent 1", "Supervision is monthly and it helps."),
                       ("Sheet 2 respondent 2", "N/A"), ("Sheet 3 respondent 1", "None"),
                       ("Sheet 3 respondent 2", "We rarely hear back about referrals.")]
