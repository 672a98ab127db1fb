"""Metadata as people write it: plain aliases are normalised, the rest dropped with a warning that names a
position or qualcode's own field name and never repeats what the file says (a key may be a child's name)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest

from qualcode.errors import BadJson, BadMetadata, MissingMetadata, NoTextColumn, UnknownFormat
from qualcode.ingest import parse_file, read_source
from qualcode.ingest.metadata import parse_date, read_manifest, resolve_metadata, split_front_matter
from qualcode.ingest.timestamps import canonical_timestamp
from qualcode.models import SourceMeta

SEEDS = ("kayleigh", "hargreaves")


def _clean(*texts: object) -> bool:
    joined = " ".join(str(t) for t in texts).casefold()
    return not any(seed in joined for seed in SEEDS)


def _meta(front_matter: str, *, require: bool = False) -> tuple[SourceMeta, bool, list[str]]:
    warnings: list[str] = []
    front, _, _ = split_front_matter(f"---\n{front_matter}---\nChair: Words.\n", Path("a.txt"), warnings)
    meta, described = resolve_metadata(Path("a.txt"), front=front, manifest=None, default_id="a.txt",
                                       require=require, warnings=warnings)
    return meta, described, warnings


def test_the_header_from_the_issue_is_normalised_and_its_warnings_name_positions_only() -> None:
    meta, described, warnings = _meta("source_id: rw-d1-07\nsource_type: focus group\nType: Interview\n"
                                      "Kayleigh Hargreaves: mum\ndate: 9 March 2026\n")
    assert described
    assert meta.id == "rw-d1-07" and meta.source_type == "focus_group"
    assert meta.date == dt.date(2026, 3, 9)
    assert warnings == ["front matter key 3 gives `source_type` again and was dropped.",
                        "front matter key 4 was not recognised and was dropped."]
    assert _clean(*warnings)


@pytest.mark.parametrize("key, field, value, expected", [
    ("source_id", "id", "rw-1", "rw-1"), ("Source ID", "id", "rw-1", "rw-1"), ("sourceId", "id", "rw-1", "rw-1"),
    ("ID", "id", "rw 1/a", "rw-1-a"), ("Type", "source_type", "Interview", "interview"),
    ("source type", "source_type", "Focus Group", "focus_group"), ("type", "source_type", "FG", "focus_group"),
    ("type", "source_type", "telephone interview", "interview"), ("type", "source_type", "notes", "interviewer_notes"),
    ("type", "source_type", "focus groups", "focus_group"), ("type", "source_type", "Survey", "questionnaire"),
    ("Interviewee role", "role", "Head of Service", "Head of Service"),
    ("job title", "role", "councillor", "councillor"), ("Organisation", "agency", "health", "health"),
    ("service", "agency", "police", "police"), ("LA", "site", "la 3", "LA3"),
    ("council", "site", "Local Authority 5", "LA5"), ("local authority", "site", "LA2", "LA2"),
    ("LA type", "site_type", "London Borough", "london_borough"),
    ("site_type", "site_type", "Unitary Authority", "unitary"), ("interview date", "date", "09/03/2026",
                                                                 dt.date(2026, 3, 9)),
    ("Date", "date", "Monday 9th March 2026", dt.date(2026, 3, 9)), ("date", "date", "2026-03-09",
                                                                     dt.date(2026, 3, 9)),
    ("interviewed by", "interviewer", "Peer", "Peer"),
])
def test_plain_aliases_for_keys_and_values(key: str, field: str, value: str, expected: object) -> None:
    meta, described, warnings = _meta(f"{key}: {value}\n")
    assert described and not warnings
    assert getattr(meta, field) == expected


@pytest.mark.parametrize("field, value", [("date", "2024-01-71"), ("date", "next Tuesday"),
                                          ("source_type", "chat with Kayleigh"), ("site_type", "Hargreaves"),
                                          ("role", "[a, list]"), ("speakers", "Kayleigh Hargreaves")])
def test_a_value_that_cannot_be_read_is_dropped_naming_the_field_never_the_value(field: str, value: str) -> None:
    meta, _, warnings = _meta(f"id: x\n{field}: {value}\n")
    assert len(warnings) == 1 and f"`{field}`" in warnings[0] and "dropped" in warnings[0]
    assert _clean(*warnings) and meta.id == "x"


def test_the_exact_field_name_wins_over_an_alias_given_first() -> None:
    meta, _, warnings = _meta("Type: interview\nsource_type: focus group\n")
    assert meta.source_type == "focus_group"
    assert warnings == ["front matter key 1 gives `source_type` as key 2 does, and was dropped."]


def test_speakers_as_a_role_or_with_aliased_keys_and_unknown_keys_dropped() -> None:
    meta, _, warnings = _meta("speakers:\n  Named Nurse: health lead\n"
                              "  Head of Service: {Job Title: council senior manager, Service: health, "
                              "Kayleigh: her mum}\n")
    speakers = meta.speakers
    assert speakers["Named Nurse"].role == "health lead"
    assert (speakers["Head of Service"].role, speakers["Head of Service"].agency) == ("council senior manager",
                                                                                    "health")
    assert warnings == ["front matter speaker 2, key 3 was not recognised and was dropped."]


def test_a_header_that_is_not_yaml_is_read_line_by_line_and_a_broken_structure_is_refused() -> None:
    meta, _, warnings = _meta("id: x\nrole: Head of Service: Children\nnote: Kayleigh said \"no\": fine\n")
    assert meta.role == "Head of Service: Children"
    assert warnings == ["the front matter is not valid YAML, so it was read as one `field: value` per line.",
                        "front matter key 3 was not recognised and was dropped."]
    with pytest.raises(BadMetadata) as caught:
        split_front_matter("---\nid: a\nrole: [Kayleigh Hargreaves\n---\ntext\n", Path("a.txt"))
    assert caught.value.line is not None and caught.value.line >= 3 and _clean(caught.value.message)


def test_front_matter_that_is_not_a_mapping_is_dropped_and_the_text_still_read() -> None:
    source, warnings = read_source(Path("a.txt"), b"---\nInterview with Kayleigh Hargreaves\n---\n"
                                                  b"Chair: The board met.\n", name="a.txt")
    assert source.text == "Chair: The board met.\n"
    assert warnings[0] == "a.txt: The front matter is not a list of `field: value` lines and was dropped."
    assert _clean(*warnings, source.meta.model_dump_json())


def test_require_metadata_refuses_a_header_with_nothing_usable_without_repeating_it() -> None:
    with pytest.raises(MissingMetadata) as caught:
        _meta("Kayleigh Hargreaves: mum\n", require=True)
    assert "key 1 was not recognised" in caught.value.message and _clean(caught.value.message)
    _, described, _ = _meta("Kayleigh Hargreaves: mum\nrole: councillor\n", require=True)
    assert described


def test_json_metadata_objects_are_normalised_the_same_way() -> None:
    doc = {"metadata": {"source_id": "j1", "Type": "Focus Group", "Kayleigh Hargreaves": {"age": 9}},
           "turns": [{"speaker": "Chair", "text": "The board met."}]}
    source, warnings = read_source(Path("a.json"), json.dumps(doc).encode(), name="a.json")
    assert source.id == "j1" and source.meta.source_type == "focus_group"
    assert warnings == ["a.json: The metadata object key 3 was not recognised and was dropped."]


def test_a_manifest_with_aliased_columns_and_an_unknown_one_still_describes_its_files(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("File Name,Source ID,Type,Kayleigh Hargreaves,Date,Speaker,Role\n"
                        "a.txt,rw-9,Focus Group,mum,31/02/2026,,\n"
                        "a.txt,,,,,Named Nurse,health lead\n"
                        ",,Focus Group,Hargreaves,,,\n")
    read = read_manifest(manifest)
    assert read.warnings == ["manifest column 4 was not recognised and was ignored.",
                             "manifest row 4 names no file and was ignored."]
    warnings: list[str] = []
    meta, described = resolve_metadata(tmp_path / "a.txt", front=None, manifest=read["a.txt"], default_id="a",
                                       warnings=warnings)
    assert described and meta.id == "rw-9" and meta.source_type == "focus_group" and meta.date is None
    assert meta.speaker("named nurse").role == "health lead"
    assert warnings == ["manifest row 2: `date` could not be read as a date and was dropped."]


def test_a_manifest_that_is_not_text_describes_no_file(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes(b"\x00\x01Kayleigh Hargreaves\x00")
    read = read_manifest(manifest)
    assert not read.entries and read.warnings == ["the manifest could not be read as text, so it describes no file."]


@pytest.mark.parametrize("text, expected", [
    ("9 March 2026", dt.date(2026, 3, 9)), ("09/03/2026", dt.date(2026, 3, 9)), ("9/3/26", dt.date(2026, 3, 9)),
    ("9th of March 2026", dt.date(2026, 3, 9)), ("March 9, 2026", dt.date(2026, 3, 9)),
    ("Mon 9 Mar 2026", dt.date(2026, 3, 9)), ("2026-03-09T10:00:00Z", dt.date(2026, 3, 9)),
    ("2026/3/9", dt.date(2026, 3, 9)), ("31/02/2026", None), ("2024-01-71", None), ("Kayleigh", None),
    ("9 Marchember 2026", None), ("", None),
])
def test_dates_in_common_uk_forms(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("value, expected", [
    ("00:01:02", "00:01:02"), ("1:02", "00:01:02"), ("0:00:05.500", "00:00:05"), ("00:00:05,250", "00:00:05"),
    (62, "00:01:02"), (62.9, "00:01:02"), ("62", "00:01:02"), ("2026-03-09T10:15:00", "2026-03-09T10:15:00"),
    ("2026-03-09 10:15", "2026-03-09T10:15:00"), ("2026-03-09T10:15:00Z", "2026-03-09T10:15:00+00:00"),
    ("Kayleigh Hargreaves rang", None), ("1:75", None), ("25:61:00", None), (True, None), ([1, 2], None),
    (-3, None), ("", None), ("12:00 with Kayleigh", None),
])
def test_timestamps_are_canonical_or_nothing(value: object, expected: str | None) -> None:
    assert canonical_timestamp(value) == expected


def test_a_json_timestamp_that_is_not_a_time_is_dropped_by_turn_number() -> None:
    doc = {"turns": [{"speaker": "Interviewer", "text": "Q?", "timestamp": "Kayleigh Hargreaves rang"},
                     {"speaker": {"name": "Kayleigh"}, "text": "A.", "timestamp": 75}]}
    parsed = parse_file(Path("a.json"), json.dumps(doc).encode())
    assert [(t.speaker, t.timestamp) for t in parsed.turns] == [("Interviewer", None), (None, "00:01:15")]
    assert parsed.warnings == ("turn 1's `timestamp` is not a time and was dropped.",
                               "turn 2's `speaker` is not a label and was dropped.")


def test_subtitle_and_plain_text_stamps_are_canonical() -> None:
    text = parse_file(Path("a.txt"), b"[0:05] Interviewer: Q?\n[1:00:07.5] Chair: A.\n")
    assert [t.timestamp for t in text.turns] == ["00:00:05", "01:00:07"]
    vtt = parse_file(Path("a.vtt"), b"WEBVTT\n\n00:01:02.500 --> 00:01:04.000\n<v Chair>Words here.\n")
    assert vtt.turns[0].timestamp == "00:01:02"


@pytest.mark.parametrize("data", [b'{"turns": [{"text": "x"}, Kayleigh Hargreaves]}',
                                  b'{"turns": [{"text": "Kayleigh Hargreaves\x01"}]}',
                                  b'{"turns": [{"text": "x"}]} Kayleigh Hargreaves'])
def test_a_json_syntax_error_is_described_without_the_text_around_it(data: bytes) -> None:
    with pytest.raises(BadJson) as caught:
        parse_file(Path("a.json"), data)
    assert caught.value.line == 1 and _clean(str(caught.value))


def test_an_unknown_extension_is_not_repeated() -> None:
    with pytest.raises(UnknownFormat) as caught:
        parse_file(Path("notes.Hargreaves"), b"Chair: words\n")
    assert _clean(caught.value.message)


def test_a_workbook_whose_sheet_and_columns_name_people_is_refused_without_naming_them() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Kayleigh Hargreaves"
    sheet.append(["Kayleigh Hargreaves", "Hargreaves score"])
    sheet.append([3, 4])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(NoTextColumn) as caught:
        parse_file(Path("scores.xlsx"), buffer.getvalue())
    assert _clean(str(caught.value))
