"""Check a `.qdpx` with QualCoder's own REFI-QDA importer, headless, and say what QualCoder kept.

Not part of qualcode and not run by its tests: it needs a QualCoder checkout (not in this repository) and a
separate environment with PyQt6, pymupdf and Pillow (what QualCoder's `refi.py` imports). It builds an empty
QualCoder project database with the `CREATE TABLE` statements of that checkout's own `__main__.py`, runs
`RefiImport.import_project` on the file (file dialogs and message boxes answered by stubs), and compares the
database with the file: sources and their text, every coding's span, code, owner and memo, every code's
colour. With `--export-back`, QualCoder's `RefiExport` then writes the project out again, for
`qualcode exchange import` to read. Prints one JSON object; exits 1 when anything the file held was lost.

    QT_QPA_PLATFORM=offscreen /tmp/qcvenv/bin/python scripts/qualcoder_import_check.py \\
        --qualcoder /tmp/qualcoder/src project.qdpx [--export-back /tmp/back]
"""

from __future__ import annotations

import argparse
import ast
import builtins
import contextlib
import json
import os
import sqlite3
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

NS = "{urn:QDA-XML:project:1.0}"


def create_statements(qualcoder_src: Path) -> list[str]:
    """The first `CREATE TABLE` of each table in QualCoder's `__main__.py` (its new-project schema)."""
    tree = ast.parse((qualcoder_src / "qualcoder" / "__main__.py").read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("CREATE TABLE "):
            seen.setdefault(node.value.split()[2], node.value)
    return list(seen.values())


def expected(qdpx: Path) -> dict[str, Any]:
    """What the file holds, keyed the way QualCoder stores it (names, not GUIDs)."""
    with zipfile.ZipFile(qdpx) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        files = {Path(n).name: archive.read(n) for n in archive.namelist() if n.lower().startswith("sources/")}
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{NS}User")}
    codes = {c.get("guid"): (c.get("name"), c.get("color")) for c in root.iter(f"{NS}Code")
             if c.get("isCodable") != "false"}
    sources, codings = {}, []
    for source in root.iter(f"{NS}TextSource"):
        name = source.get("name")
        path = (source.get("plainTextPath") or "").removeprefix("internal://")
        sources[name] = (files[path].decode("utf-8-sig"), users.get(source.get("creatingUser")))
        for selection in source.iter(f"{NS}PlainTextSelection"):
            for coding in selection.iter(f"{NS}Coding"):
                ref = coding.find(f"{NS}CodeRef")
                codings.append((name, int(selection.get("startPosition", "0")), int(selection.get("endPosition", "0")),
                                codes[ref.get("targetGUID") if ref is not None else ""][0],
                                users.get(selection.get("creatingUser")), selection.findtext(f"{NS}Description") or ""))
    return {"sources": sources, "codings": codings, "colours": {name: colour for name, colour in codes.values()}}


def run_import(qualcoder_src: Path, qdpx: Path, work: Path, export_back: Path | None) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["HOME"] = str(work)  # QualCoder's export prepares its files under ~/.qualcoder
    (work / ".qualcoder").mkdir()
    sys.path.insert(0, str(qualcoder_src))
    builtins._ = lambda text: text  # type: ignore[attr-defined]  # QualCoder's gettext hook
    from PyQt6 import QtWidgets
    from qualcoder import refi  # type: ignore[import-not-found]

    application = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    project_path = work / "check.qda"
    for folder in ("", "documents", "images", "audio", "video"):
        (project_path / folder).mkdir(exist_ok=True)
    conn = sqlite3.connect(project_path / "data.qda")
    for statement in create_statements(qualcoder_src):
        conn.execute(statement)
    conn.execute("insert into project (date, codername) values (?, ?)", ("2026-01-01 00:00:00", "default"))
    conn.commit()

    class Quiet:  # message boxes, log panes and the line-endings dialog: nobody to click them
        def __init__(self, *args: object, **kwargs: object) -> None:
            self.ui = SimpleNamespace(radioButton_maxqda=SimpleNamespace(isChecked=lambda: False))

        def exec(self) -> int:
            return 0

        def append(self, text: str) -> None:
            pass

    def annotations() -> list[dict[str, Any]]:
        keys = ("anid", "fid", "pos0", "pos1", "memo", "owner", "date")
        return [dict(zip(keys, row, strict=True))
                for row in conn.execute("select anid, fid, pos0, pos1, memo, owner, date from annotation")]

    app = SimpleNamespace(conn=conn, project_path=str(project_path), project_name="check.qda", version="QualCoder",
                          settings={"codername": "default", "directory": str(work), "ai_enable": "False"},
                          write_config_ini=lambda *args: None, ai_models=[], project_events=None,
                          get_annotations=annotations)
    refi.Message = Quiet
    refi.RefiLineEndings = Quiet
    QtWidgets.QFileDialog.getOpenFileName = staticmethod(lambda *a, **k: (str(qdpx), "qdpx"))
    QtWidgets.QFileDialog.getExistingDirectory = staticmethod(lambda *a, **k: str(export_back or work))
    refi.RefiImport(app, Quiet(), "qdpx")
    if export_back is not None:
        export_back.mkdir(parents=True, exist_ok=True)
        refi.RefiExport(app, Quiet(), "project")
    application.processEvents()
    return {
        "sources": {name: (text, owner)
                    for name, text, owner in conn.execute("select name, fulltext, owner from source")},
        "codings": [tuple(row) for row in conn.execute(
            "select s.name, t.pos0, t.pos1, c.name, t.owner, ifnull(t.memo, ''), t.seltext, s.fulltext "
            "from code_text t join source s on s.id = t.fid join code_name c on c.cid = t.cid")],
        "colours": dict(conn.execute("select name, color from code_name")),
        "categories": conn.execute("select count(*) from code_cat").fetchone()[0],
        "coder": app.settings["codername"],
    }


def compare(want: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    read = [row[:6] for row in got["codings"]]
    sources = {name: got["sources"].get(name, (None, None)) for name in want["sources"]}
    return {
        "sources": {"in_file": len(want["sources"]), "read": len(got["sources"]),
                    "text_exact": sum(sources[n][0] == text for n, (text, _) in want["sources"].items()),
                    "owner_kept": sum(sources[n][1] == owner for n, (_, owner) in want["sources"].items())},
        "codings": {"in_file": len(want["codings"]), "read": len(read),
                    "span_exact": sum(text[start:end] == selected
                                      for _, start, end, *_, selected, text in got["codings"]),
                    "same_span_code_owner_memo": len(set(read) & set(want["codings"])),
                    "owners_in_file": sorted({c[4] for c in want["codings"]}),
                    "owners_read": sorted({c[4] for c in read}),
                    "with_memo_in_file": sum(bool(c[5]) for c in want["codings"]),
                    "with_memo_read": sum(bool(c[5]) for c in read)},
        "codes": {"in_file": len(want["colours"]), "read": len(got["colours"]),
                  "colour_kept": sum(got["colours"].get(n) == c for n, c in want["colours"].items()),
                  "categories": got["categories"]},
        "qualcoder_coder_name": got["coder"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("qdpx", type=Path)
    parser.add_argument("--qualcoder", type=Path, required=True, help="the src/ folder of a QualCoder checkout")
    parser.add_argument("--export-back", type=Path, help="a folder for QualCoder's own export of what it read")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(sys.stderr):  # QualCoder prints
        got = run_import(args.qualcoder.resolve(), args.qdpx.resolve(), Path(folder),
                         args.export_back.resolve() if args.export_back else None)
    report = compare(expected(args.qdpx), got)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    s, c, k = report["sources"], report["codings"], report["codes"]
    whole = (s["in_file"] == s["read"] == s["text_exact"] == s["owner_kept"]
             and c["in_file"] == c["read"] == c["span_exact"] == c["same_span_code_owner_memo"]
             and k["in_file"] == k["colour_kept"])
    return 0 if whole else 1


if __name__ == "__main__":
    sys.exit(main())
