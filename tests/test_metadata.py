import datetime as dt
from pathlib import Path

import pytest

from qualcode.errors import BadMetadata, MissingMetadata
from qualcode.ingest.metadata import read_manifest, resolve_metadata, split_front_matter

FRONT = """---
id: rw-x-01
site: LA3
site_type: city
role: council senior manager
agency: children's social care
source_type: focus_group
date: 2026-03-09
interviewer: Peer
speakers:
  Named Nurse: {role: health lead, agency: health}
---
Peer: Question?
"""


def test_front_matter_is_split_and_lines_counted() -> None:
    data, body, lines = split_front_matter(FRONT, Path("a.txt"))
    assert data is not None and data["id"] == "rw-x-01"
    assert body == "Peer: Question?\n"
    assert lines == 12


def test_bad_front_matter_names_file_and_line() -> None:
    with pytest.raises(BadMetadata) as caught:
        split_front_matter("---\nid: a\nrole: [unclosed\n---\ntext\n", Path("day1/a.txt"))
    assert caught.value.path == Path("day1/a.txt")
    assert caught.value.line is not None and caught.value.line >= 3


def test_manifest_rows_give_source_and_speaker_metadata(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,id,site,site_type,role,agency,source_type,date,interviewer,speaker\n"
        "fg.vtt,rw-fg,LA3,city,frontline or middle manager,children's social care,focus_group,2026-03-10,Peer,\n"
        "fg.vtt,,,,health lead,health,,,,Named Nurse\n", encoding="utf-8")
    entry = read_manifest(manifest)["fg.vtt"]
    meta, described = resolve_metadata(tmp_path / "fg.vtt", front=None, manifest=entry, default_id="fg")
    assert described
    assert meta.id == "rw-fg" and meta.date == dt.date(2026, 3, 10) and meta.source_type == "focus_group"
    assert meta.speaker("named nurse").agency == "health"
    assert meta.speaker("Social Worker").role == "frontline or middle manager"


def test_front_matter_wins_over_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,id,role,agency\na.txt,from-manifest,councillor,corporate centre\n")
    front, _, _ = split_front_matter(FRONT, tmp_path / "a.txt")
    meta, _ = resolve_metadata(tmp_path / "a.txt", front=front, manifest=read_manifest(manifest)["a.txt"],
                               default_id="a")
    assert meta.id == "rw-x-01" and meta.role == "council senior manager"


@pytest.mark.parametrize("content, warning", [
    ("name,id\na.txt,x\n", "manifest column 1 was not recognised"),
    ("file,id,colour\na.txt,x,red\n", "manifest column 3 was not recognised"),
    ("file,id\na.txt,x,extra\n", "manifest row 2 has more cells than the header"),
    ("file,id\na.txt,x\na.txt,y\n", "manifest row 3 describes a file an earlier row describes"),
])
def test_a_manifest_problem_is_a_warning_naming_its_column_or_row(tmp_path: Path, content: str,
                                                                   warning: str) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(content)
    read = read_manifest(manifest)
    assert any(w.startswith(warning) for w in read.warnings), read.warnings
    if "a.txt" in read:
        assert read["a.txt"].fields == {"id": "x"}


def test_a_manifest_without_a_file_column_describes_no_file(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("name,id\na.txt,x\n")
    read = read_manifest(manifest)
    assert not read.entries and any("no `file` column" in w for w in read.warnings)


def test_invalid_field_value_is_dropped_with_a_warning_naming_the_manifest_row(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,id,date\na.txt,x,\nb.txt,y,not-a-date\n")
    entries = read_manifest(manifest)
    warnings: list[str] = []
    meta, described = resolve_metadata(tmp_path / "b.txt", front=None, manifest=entries["b.txt"], default_id="b",
                                       warnings=warnings)
    assert described and meta.id == "y" and meta.date is None
    assert warnings == ["manifest row 3: `date` could not be read as a date and was dropped."]


def test_missing_metadata_gives_unknowns_or_refuses(tmp_path: Path) -> None:
    meta, described = resolve_metadata(tmp_path / "notes.txt", front=None, manifest=None, default_id="notes")
    assert meta.role == "unknown" and meta.agency == "unknown" and not described
    with pytest.raises(MissingMetadata):
        resolve_metadata(tmp_path / "notes.txt", front=None, manifest=None, default_id="notes", require=True)
