import datetime as dt
from pathlib import Path

import pytest

from qualcode.errors import BadManifest, BadMetadata, MissingMetadata
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


@pytest.mark.parametrize("content, line", [
    ("name,id\na.txt,x\n", 1),
    ("file,id,colour\na.txt,x,red\n", 1),
    ("file,id\na.txt,x,extra\n", 2),
    ("file,id\na.txt,x\na.txt,y\n", 3),
])
def test_bad_manifest_names_its_line(tmp_path: Path, content: str, line: int) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(content)
    with pytest.raises(BadManifest) as caught:
        read_manifest(manifest)
    assert caught.value.path == manifest and caught.value.line == line


def test_invalid_field_value_is_reported_against_the_manifest_row(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,id,date\na.txt,x,\nb.txt,y,not-a-date\n")
    entries = read_manifest(manifest)
    with pytest.raises(BadMetadata) as caught:
        resolve_metadata(tmp_path / "b.txt", front=None, manifest=entries["b.txt"], default_id="b")
    assert caught.value.path == manifest and caught.value.line == 3
    assert "date" in str(caught.value)


def test_missing_metadata_gives_unknowns_or_refuses(tmp_path: Path) -> None:
    meta, described = resolve_metadata(tmp_path / "notes.txt", front=None, manifest=None, default_id="notes")
    assert meta.role == "unknown" and meta.agency == "unknown" and not described
    with pytest.raises(MissingMetadata):
        resolve_metadata(tmp_path / "notes.txt", front=None, manifest=None, default_id="notes", require=True)
