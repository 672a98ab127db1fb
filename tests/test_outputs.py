"""Output files are written whole, and statement text reaches Excel as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from qualcode.outputs import write_folder
from qualcode.reports.cells import append_row, save_workbook


def test_write_folder_replaces_whole_and_keeps_the_old_one_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "2026-03-09"
    write_folder(target, lambda folder: (folder / "a.csv").write_text("first"))

    def broken(folder: Path) -> None:
        (folder / "a.csv").write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_folder(target, broken)
    assert (target / "a.csv").read_text() == "first" and sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_write_folder_puts_the_old_folder_back_when_the_swap_fails(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "themes"
    write_folder(target, lambda folder: (folder / "themes.csv").write_text("good"))
    real_rename = Path.rename

    def rename(self: Path, other: Path) -> Path:
        if self.name.startswith(".themes-"):  # the new folder cannot be moved into place
            raise OSError("rename refused")
        return real_rename(self, other)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError):
        write_folder(target, lambda folder: (folder / "themes.csv").write_text("new"))
    assert (target / "themes.csv").read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["themes"]


def test_statement_text_reaches_excel_as_text_without_refused_characters(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_row(sheet, ["=HYPERLINK(\"http://example.org\")", "a\x1bb\x08c", 3, None])
    path = tmp_path / "out.xlsx"
    save_workbook(book, path)
    values = next(load_workbook(path).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert values[:3] == ("=HYPERLINK(\"http://example.org\")", "abc", 3)
    assert load_workbook(path).active["A1"].data_type == "s"  # type: ignore[index]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]
