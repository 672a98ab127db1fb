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


def test_what_a_killed_report_left_is_swept_and_the_last_good_folder_put_back(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    outputs = tmp_path / "outputs"
    (outputs / "2026-03-09").mkdir(parents=True)
    (outputs / "2026-03-09" / "briefing.html").write_text("the good one", encoding="utf-8")
    # a real process killed while writing a report's folder aside: the folder holds quotes
    script = ("import os, signal, sys\nfrom pathlib import Path\nfrom qualcode.outputs import write_folder\n"
              "def write(staging):\n    (staging / 'quotes.csv').write_text('a quote', encoding='utf-8')\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n"
              "write_folder(Path(sys.argv[1]) / '2026-03-10', write)\n")
    killed = subprocess.run([sys.executable, "-c", script, str(outputs)], check=False)
    assert killed.returncode == -signal.SIGKILL
    assert [p.name for p in outputs.iterdir() if p.name.startswith(".2026-03-10-")]
    (outputs / "2026-03-09").rename(outputs / ".2026-03-09.old")  # killed between the two renames of a swap

    write_folder(outputs / "themes", lambda folder: (folder / "themes.csv").write_text("t", encoding="utf-8"))
    assert sorted(p.name for p in outputs.iterdir()) == ["2026-03-09", "themes"]
    assert (outputs / "2026-03-09" / "briefing.html").read_text(encoding="utf-8") == "the good one"


def test_csv_cells_a_spreadsheet_would_run_are_written_as_text(tmp_path: Path) -> None:
    import csv

    import pandas as pd
    from typer.testing import CliRunner

    from qualcode.cli import app
    from qualcode.outputs import write_csv
    from qualcode.project import init_project

    frame = pd.DataFrame({"text": ["=SUM(A1:A9)", "+44 is the code", "-3 cases", "@team", "\tindented", "plain"],
                          "count": [-3, 1, 2, 3, 4, 5]})
    write_csv(frame, tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["text"] for r in rows] == ["'=SUM(A1:A9)", "'+44 is the code", "'-3 cases", "'@team", "'\tindented",
                                         "plain"]
    assert rows[0]["count"] == "-3"  # a number is a number
    # a statement that a spreadsheet would run, through ingest and out of `qualcode segments`
    project = init_project(tmp_path / "project")
    (project.inbox / "note.txt").write_text(
        "Interviewer: What did the record say?\nManager: The case note said it plainly to everyone.\n"
        "=HYPERLINK(\"x\",\"open the plan now\") was typed into the chronology by someone.\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(project.root)]).exit_code == 0
    assert runner.invoke(app, ["segments", str(project.root), "--out", str(tmp_path / "s.csv")]).exit_code == 0
    with (tmp_path / "s.csv").open(encoding="utf-8", newline="") as handle:
        texts = [r["text"] for r in csv.DictReader(handle)]
    assert any(t.startswith("'=HYPERLINK") for t in texts) and not any(t.startswith("=") for t in texts)
