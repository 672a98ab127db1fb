"""REFI-QDA exchange: codebooks and projects that NVivo, ATLAS.ti, MAXQDA and QualCoder read, and back."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import xmlschema

from conftest import REPO, copy_project
from qualcode.anonymise.detector import Detector
from qualcode.codebook import Codebook, load_codebook, resolve_codebook_path
from qualcode.codebook.colours import PALETTE, code_colours
from qualcode.exchange import (
    BadExchangeFile,
    codebook_csv,
    covered_segments,
    export_codebook,
    import_codebook,
    read_qdpx,
    write_codebook_yaml,
)
from qualcode.exchange.codebook import code_guid
from qualcode.exchange.project import (
    INGEST_USER,
    INGEST_USER_KEY,
    machine_user_key,
    person_user_key,
    source_guid,
    user_guid,
)
from qualcode.exchange.xmltools import PROJECT_NS
from qualcode.project import Project, init_project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace import Workspace
from qualcode.workspace.coding import code_project
from qualcode.workspace.exchange import import_codings
from qualcode.workspace.ingest import ingest_inbox
from qualcode.workspace.wiring import project_codebook, project_coding_digest

REFI = REPO / "tests" / "data" / "refi-qda"  # the official schemas, shipped with their licence (README.md there)
OTHER_TOOL_QDC = REPO / "tests" / "data" / "exchange" / "other_tool.qdc"
DECIDED = "2026-03-10T09:00:00+00:00"
COLUMNS = ["segment_id", "codebook", "code_id", "decision", "valence", "coder", "decided_at"]


@functools.cache
def schema(name: str) -> xmlschema.XMLSchema:
    """The official REFI-QDA schema from tests/data: always there, so the validation can never be skipped
    (a missing file or a missing xmlschema fails); parsed once, Project.xsd is large."""
    return xmlschema.XMLSchema(str(REFI / name))


@dataclass(frozen=True)
class Coded:
    """A copy of the review week, machine coded, with people's decisions, exported once."""

    project: Project
    qdpx: Path
    codebook: Codebook
    accepted: tuple[str, str]
    rejected: tuple[str, str]


@pytest.fixture(scope="module")
def coded(review_week_project: Project, review_week_vectors: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> Coded:
    root = tmp_path_factory.mktemp("exchange") / "project"
    project = copy_project(review_week_project, root, review_week_vectors)
    code_project(project)
    codebook = project_codebook(project)
    with Store(project.store_path) as store:
        machine = store.codings()
        assigned = machine[machine["assigned"] & (machine["digest"] == project_coding_digest(project))]
        statements = store.segments()
        segments = statements["segment_id"]
        spoken = set(statements.loc[statements["source_type"] != "document", "segment_id"])
        said = assigned[assigned["segment_id"].isin(spoken)]  # decided on what people said, as a team does
        first, second = said.iloc[0], said.iloc[-1]
        leaves = [code.id for code in codebook.leaves]

        def without(code: str) -> list[str]:  # statements the machine did not give this code, to add it to
            return [s for s in segments if s not in set(assigned["segment_id"][assigned["code_id"] == code])]

        add_first = without(leaves[0])[0]
        add_last = next(s for s in without(leaves[-1]) if s != add_first)
        decisions = pd.DataFrame({
            "segment_id": [first.segment_id, second.segment_id, add_first, add_last],
            "codebook": codebook.name,
            "code_id": [first.code_id, second.code_id, leaves[0], leaves[-1]],
            "decision": ["accept", "reject", "add", "add"],
            "valence": ["strength", None, None, "area_for_improvement"],
            "coder": ["alice", "bob", "bob", "Zoë Ångström"],
            "decided_at": [DECIDED, DECIDED, "2026-03-10T10:15:00+00:00", "2026-03-11T08:00:00+00:00"]})
        with store.transaction():
            store.add_decisions(decisions)
    code_project(project)  # the decisions teach the machine: recode with them, as an import does
    qdpx = root / "outputs" / "review.qdpx"
    Workspace(project).exchange_export(qdpx)
    return Coded(project, qdpx, codebook, (str(first.segment_id), str(first.code_id)),
                 (str(second.segment_id), str(second.code_id)))


def store_frames(project: Project) -> tuple[dict[str, str], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with Store(project.store_path) as store:
        texts = {str(s): store.source_text(str(s)) for s in store.sources()["source_id"]}
        return texts, store.segments(), store.codings(), store.decisions()


# --- codebooks -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["safeguarding_lines_of_enquiry", "peer_review_evaluation"])
def test_our_codebooks_go_out_valid_and_come_back_identical(name: str, tmp_path: Path) -> None:
    codebook = load_codebook(resolve_codebook_path(name))
    qdc = tmp_path / f"{name}.qdc"
    export_codebook(codebook, qdc)
    data = qdc.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    root = ET.fromstring(data)
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    nested = {c.get("name"): [k.get("name") for k in c.iter("{urn:QDA-XML:codebook:1.0}Code") if k is not c]
              for c in root.iter("{urn:QDA-XML:codebook:1.0}Code")}
    for code in codebook.codes:
        if code.parent:
            assert code.label in nested[codebook.code(code.parent).label]  # children sit inside their parent
    export_codebook(codebook, tmp_path / "again.qdc")
    assert (tmp_path / "again.qdc").read_bytes() == data

    back = import_codebook(qdc)
    assert back == codebook  # ids, labels, hierarchy, definitions, notes, examples, patterns, valence examples
    write_codebook_yaml(back, tmp_path / "back.yaml")
    assert load_codebook(tmp_path / "back.yaml") == codebook


@pytest.mark.parametrize("name", ["safeguarding_lines_of_enquiry", "peer_review_evaluation"])
def test_our_qdc_validates_against_the_official_schema(name: str, tmp_path: Path) -> None:
    xsd = schema("Codebook.xsd")
    export_codebook(load_codebook(resolve_codebook_path(name)), tmp_path / "book.qdc")
    xsd.validate(str(tmp_path / "book.qdc"))


RGB = re.compile(r"^#[0-9A-F]{6}$")


@pytest.mark.parametrize("name", ["safeguarding_lines_of_enquiry", "peer_review_evaluation"])
def test_every_code_has_a_stable_six_digit_colour_shared_within_its_line(name: str, tmp_path: Path) -> None:
    codebook = load_codebook(resolve_codebook_path(name))
    colours = code_colours(codebook)
    assert set(colours) == {code.id for code in codebook.codes} and all(RGB.match(c) for c in colours.values())
    assert code_colours(load_codebook(resolve_codebook_path(name))) == colours
    family = {colour: number for number, shades in enumerate(PALETTE) for colour in shades}
    for parent in codebook.parents:
        kids = [code.id for code in codebook.codes if code.parent == parent]
        assert len({family[colours[k]] for k in kids}) == 1  # one hue per line of enquiry
        assert len({colours[k] for k in kids}) == min(len(kids), len(PALETTE[0]))  # siblings differ
    export_codebook(codebook, tmp_path / "book.qdc")
    written = {c.get("name"): c.get("color") for c in ET.parse(tmp_path / "book.qdc").iter(
        "{urn:QDA-XML:codebook:1.0}Code")}
    assert written == {code.label: colours[code.id] for code in codebook.codes}


@pytest.mark.parametrize("name", ["safeguarding_lines_of_enquiry", "peer_review_evaluation"])
def test_the_csv_codebook_has_every_code_in_the_columns_taguette_reads(name: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from qualcode.cli import app

    codebook = load_codebook(resolve_codebook_path(name))
    data = codebook_csv(codebook)
    assert data.startswith(b"\xef\xbb\xbf")  # Taguette guesses encodings; a marked file is UTF-8 for certain
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["name", "description"]  # Taguette takes its tag from the one 'tag', 'name' or 'path' column
    assert [row[0] for row in rows[1:]] == [code.id for code in codebook.codes]
    assert all(len(row) == 2 and 0 < len(row[0]) <= 200 for row in rows[1:])  # Taguette's limit on a tag path
    for code, row in zip(codebook.codes, rows[1:], strict=True):
        assert row[1].startswith(f"{code.label}: {code.definition}") and "\n" not in row[1]  # a one-line box there
        assert all(item.rstrip(".") in row[1] for item in (*code.include, *code.exclude))
    runner = CliRunner()
    for args, out in ((["--out", str(tmp_path / "tags.csv")], tmp_path / "tags.csv"),
                      (["--out", str(tmp_path / "tags.txt"), "--format", "csv"], tmp_path / "tags.txt")):
        result = runner.invoke(app, ["exchange", "codebook", name, *args])
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == data
    result = runner.invoke(app, ["exchange", "codebook", name, "--out", str(tmp_path / "x.qdc"), "--format", "pdf"])
    assert result.exit_code != 0 and "--format" in result.output and not (tmp_path / "x.qdc").exists()


def test_the_shipped_schemas_are_the_official_ones_unedited() -> None:
    """Validating against a schema loosened to let an export through would prove nothing: the files must keep
    the checksums their README records for the official release."""
    readme = (REFI / "README.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"^\| `(\w+\.xsd)` \|.*\| `([0-9a-f]{64})` \|$", readme, flags=re.MULTILINE))
    shipped = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(REFI.glob("*.xsd"))}
    assert shipped == recorded and set(shipped) == {"Codebook.xsd", "Project.xsd"}
    assert "licensed under the MIT license" in (REFI / "Project.xsd").read_text(encoding="utf-8")


def test_the_official_schemas_refuse_what_the_spec_forbids() -> None:
    """The validation tests mean something only if these schemas reject files the spec does not allow."""
    codebook, project = schema("Codebook.xsd"), schema("Project.xsd")
    assert (codebook.target_namespace, project.target_namespace) == ("urn:QDA-XML:codebook:1.0",
                                                                     "urn:QDA-XML:project:1.0")
    book = ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="6B29FC40-CA47-1067-B31D-00DD010662DA" '
            'name="Only" isCodable="true" color="#A1B2C3"/></Codes></CodeBook>')
    codebook.validate(book)
    for broken in (book.replace(' isCodable="true"', ""), book.replace("6B29FC40-", "not-a-guid-"),
                   book.replace("#A1B2C3", "teal"), book.replace("urn:QDA-XML:codebook:1.0", "urn:other")):
        with pytest.raises(xmlschema.XMLSchemaValidationError):
            codebook.validate(broken)
    whole = '<Project xmlns="urn:QDA-XML:project:1.0" name="Review week"/>'
    project.validate(whole)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        project.validate(whole.replace(' name="Review week"', ""))


def test_another_tools_codebook_imports_with_ids_from_its_hierarchy(tmp_path: Path) -> None:
    schema("Codebook.xsd").validate(str(OTHER_TOOL_QDC))  # the fixture is spec-valid
    codebook = import_codebook(OTHER_TOOL_QDC)
    parents = {code.id: code.parent for code in codebook.codes}
    assert parents == {
        "impact": None, "impact.staff_morale": "impact", "impact.qualite_de_l_accueil": "impact",
        "impact.staff_morale_2": "impact", "strasse_wege": None, "strasse_wege.sante": "strasse_wege",
        "strasse_wege.offentliche_verkehrsmittel": "strasse_wege", "code_2020_plans": None,
        next(c.id for c in codebook.codes if c.label == "中文 编码"): None}  # the empty 'Topics' folder is gone
    assert codebook.code("impact.qualite_de_l_accueil").label == "Qualité de l'accueil"
    assert codebook.code("impact.staff_morale").definition == ("How staff felt about their work after the review: "
                                                               "confidence, pride, anxiety or fatigue.")
    assert codebook.code("impact.staff_morale_2").definition == "Imported from other_tool.qdc: Staff Morale!"
    assert codebook.name == "other_tool" and codebook.version.startswith("qdc-")
    assert import_codebook(OTHER_TOOL_QDC, name="Partner framework").name == "Partner framework"
    assert import_codebook(OTHER_TOOL_QDC) == codebook  # ids are stable from one import to the next
    write_codebook_yaml(codebook, tmp_path / "other.yaml")
    assert load_codebook(tmp_path / "other.yaml") == codebook


def test_our_codebook_edited_in_another_tool_keeps_its_ids(tmp_path: Path) -> None:
    codebook = load_codebook(resolve_codebook_path("safeguarding_lines_of_enquiry"))
    export_codebook(codebook, tmp_path / "book.qdc")
    leaf = codebook.leaves[0]
    text = (tmp_path / "book.qdc").read_text(encoding="utf-8")
    text = text.replace(f'name="{leaf.label}"', 'name="Renamed in NVivo"', 1)
    parent_guid = code_guid(str(leaf.parent))
    added = ('<Code guid="{6B29FC40-CA47-1067-B31D-00DD010662DA}" name="Early help" isCodable="true"/>')
    opening = text.index(f'guid="{parent_guid}"')
    close = text.index("\n", text.index("</Description>", opening))
    text = text[:close + 1] + added + text[close + 1:]
    (tmp_path / "edited.qdc").write_text(text, encoding="utf-8")
    back = import_codebook(tmp_path / "edited.qdc")
    assert back.code(leaf.id).label == "Renamed in NVivo"
    assert back.code(f"{leaf.parent}.early_help").parent == leaf.parent
    assert {c.id for c in back.codes} == {c.id for c in codebook.codes} | {f"{leaf.parent}.early_help"}


def test_a_file_that_is_no_qdpx_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.qdpx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(BadExchangeFile, match=r"\[E405\].*notes.qdpx.*not a .qdpx"):
        read_qdpx(tmp_path / "notes.qdpx")
    with zipfile.ZipFile(tmp_path / "empty.qdpx", "w") as archive:
        archive.writestr("sources/a.txt", "text")
    with pytest.raises(BadExchangeFile, match=r"no project\.qde"):
        read_qdpx(tmp_path / "empty.qdpx")


def test_a_file_that_is_no_codebook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.qdc").write_text("<CodeBook><Codes>", encoding="utf-8")
    with pytest.raises(BadExchangeFile, match=r"\[E405\].*bad.qdc"):
        import_codebook(tmp_path / "bad.qdc")
    (tmp_path / "one.qdc").write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="Only" '
                                      'guid="6B29FC40-CA47-1067-B31D-00DD010662DA" isCodable="true"/></Codes>'
                                      "</CodeBook>", encoding="utf-8")
    with pytest.raises(BadExchangeFile, match="at least two codes"):
        import_codebook(tmp_path / "one.qdc")


# --- projects --------------------------------------------------------------------------------------------

def test_qdpx_validates_against_the_official_schema(coded: Coded) -> None:
    xsd = schema("Project.xsd")
    with zipfile.ZipFile(coded.qdpx) as archive:
        xsd.validate(archive.read("project.qde").decode("utf-8"))


def test_qdpx_is_deterministic_without_bom_in_a_lowercase_sources_folder(coded: Coded, tmp_path: Path) -> None:
    summary = Workspace(coded.project).exchange_export(tmp_path / "again.qdpx")
    assert (tmp_path / "again.qdpx").read_bytes() == coded.qdpx.read_bytes()
    assert summary.machine_codings > 0 and summary.people_codings == 3 and summary.rejected == 1
    assert summary.users == 5 and summary.cases > 0  # alice, bob, Zoë, the model, and the ingest user
    assert summary.selections == summary.machine_codings + summary.people_codings
    with zipfile.ZipFile(coded.qdpx) as archive:
        infos = archive.infolist()
        assert infos[0].filename == "project.qde"
        assert all(i.filename.startswith("sources/") and i.filename.endswith(".txt") for i in infos[1:])
        assert len(infos) - 1 == summary.sources
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        for info in infos:
            assert not archive.read(info).startswith(b"\xef\xbb\xbf"), info.filename
        qde = archive.read("project.qde")
    assert qde.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(qde)
    assert root.tag == f"{{{PROJECT_NS}}}Project"
    for source in root.iter(f"{{{PROJECT_NS}}}TextSource"):
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"


def test_qdpx_round_trip_holds_what_the_store_holds(coded: Coded) -> None:
    exchange = read_qdpx(coded.qdpx)
    texts, segments, codings, decisions = store_frames(coded.project)
    codebook = coded.codebook

    assert {(c.guid, c.name, c.parent, c.codable) for c in exchange.codes} == {
        (code_guid(c.id), c.label, code_guid(c.parent) if c.parent else None, c.id not in codebook.parents)
        for c in codebook.codes}
    assert {s.name: s.text for s in exchange.sources} == texts
    assert all(s.guid == source_guid(s.name) for s in exchange.sources)

    where = {str(r.segment_id): (source_guid(str(r.source_id)), int(r.start), int(r.end))
             for r in segments.itertuples()}
    kept = codings[codings["assigned"] & (codings["codebook"] == codebook.name)
                   & (codings["digest"] == project_coding_digest(coded.project))]
    machine = {(*where[str(r.segment_id)], code_guid(str(r.code_id)), user_guid(machine_user_key(str(r.model))))
               for r in kept.itertuples() if (r.segment_id, r.code_id) != coded.rejected}
    people = {(*where[str(r.segment_id)], code_guid(str(r.code_id)), user_guid(person_user_key(str(r.coder))))
              for r in decisions.itertuples() if r.decision in ("accept", "add")}
    found = [(c.source, c.start, c.end, c.code, c.user) for c in exchange.codings]
    assert len(found) == len(set(found)) and set(found) == machine | people

    rejected = (*where[coded.rejected[0]], code_guid(coded.rejected[1]))
    assert not any((c.source, c.start, c.end, c.code) == rejected for c in exchange.codings)

    text_of = {s.guid: s.text or "" for s in exchange.sources}
    statements = {(source_guid(str(r.source_id)), int(r.start), int(r.end)): str(r.text) for r in segments.itertuples()}
    for coding in exchange.codings:
        assert text_of[coding.source][coding.start:coding.end] == statements[(coding.source, coding.start, coding.end)]
        assert coding.note is not None and coding.created is not None
    users = {u.guid: u.name for u in exchange.users}
    machine_notes = [c.note or "" for c in exchange.codings if users[c.user or ""].startswith("qualcode machine")]
    assert machine_notes and all("confidence: " in n and "codebook: " in n and "valence: " in n for n in machine_notes)
    assert {"alice", "bob", "Zoë Ångström"} <= set(users.values())


def test_each_coding_is_its_own_selection_with_owner_date_and_note_where_qualcoder_reads_them(coded: Coded
                                                                                             ) -> None:
    with zipfile.ZipFile(coded.qdpx) as archive:
        root = ET.fromstring(archive.read("project.qde"))
    notes = {n.get("guid"): n.findtext(q("PlainTextContent")) for n in root.iter(q("Note"))}
    selections = list(root.iter(q("PlainTextSelection")))
    assert selections and len({s.get("guid") for s in selections}) == len(selections)
    for selection in selections:
        codings = selection.findall(q("Coding"))
        assert len(codings) == 1  # QualCoder gives every Coding of a selection the selection's owner and memo
        coding = codings[0]
        assert selection.get("creatingUser") == coding.get("creatingUser") is not None
        assert selection.get("creationDateTime") == coding.get("creationDateTime") is not None
        note = coding.find(q("NoteRef"))
        assert note is not None and selection.findtext(q("Description")) == notes[note.get("targetGUID")]
    users = [u.get("guid") for u in root.iter(q("User"))]
    names = {u.get("guid"): u.get("name") for u in root.iter(q("User"))}
    assert names[users[0]] in {"alice", "bob", "Zoë Ångström"}  # QualCoder's coder name is the first user's
    assert names[user_guid(INGEST_USER_KEY)] == INGEST_USER
    with Store(coded.project.store_path) as store:
        ingested = dict(zip(store.sources()["source_id"], store.sources()["ingested_on"], strict=True))
    sources = list(root.iter(q("TextSource")))
    assert len(sources) == len(ingested)
    for source in sources:
        assert source.get("creatingUser") == user_guid(INGEST_USER_KEY)
        assert source.get("creationDateTime") == f"{ingested[source.get('name')]}T00:00:00Z"
    colours = code_colours(coded.codebook)
    assert {c.get("guid"): c.get("color") for c in root.iter(q("Code"))} == {
        code_guid(code_id): colour for code_id, colour in colours.items()}


def test_people_codings_come_back_as_the_same_decisions(coded: Coded) -> None:
    frame = import_codings(coded.project, coded.qdpx)
    assert list(frame.columns) == COLUMNS
    _, _, _, decisions = store_frames(coded.project)
    expected = decisions[decisions["decision"].isin(["accept", "add"])][COLUMNS].reset_index(drop=True)
    assert frame.astype(object).where(frame.notna(), None).to_dict("records") == \
        expected.astype(object).where(expected.notna(), None).to_dict("records")  # machine codings skipped


def _edit_qdpx(source: Path, target: Path, edit: Callable[[ET.Element], None], rename: bool = False) -> None:
    """Rewrite our export the way another tool would: an edited project.qde, optionally ATLAS.ti's casing."""
    ET.register_namespace("", PROJECT_NS)
    with zipfile.ZipFile(source) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    root = ET.fromstring(entries.pop("project.qde"))
    edit(root)
    out = {"Project.qde" if rename else "project.qde": ET.tostring(root, encoding="utf-8", xml_declaration=True)}
    out |= {(name.replace("sources/", "Sources/") if rename else name): data for name, data in entries.items()}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in out.items():
            archive.writestr(name, data)


def q(tag: str) -> str:
    return f"{{{PROJECT_NS}}}{tag}"


def test_another_tools_codings_map_onto_the_statements_they_cover(coded: Coded, tmp_path: Path) -> None:
    _, segments, _, decisions = store_frames(coded.project)
    decided = set(decisions["segment_id"])
    by_source = segments[~segments["segment_id"].isin(decided)].groupby("source_id")
    source_id, rows = next((s, g) for s, g in by_source if len(g) >= 3 and g["text"].str.len().min() > 20)
    first, second, third = (rows.iloc[i] for i in range(3))
    leaf = coded.codebook.leaves[1]
    dana, code = "6b29fc40-ca47-1067-b31d-00dd010662da", "{0E7F5A6C-5F0B-4C7B-9C7E-7E7D7C7B7A79}"

    def edit(root: ET.Element) -> None:
        users = root.find(q("Users"))
        assert users is not None
        ET.SubElement(users, q("User"), {"guid": dana.upper(), "name": "Dana (NVivo)"})
        machine = next(u.get("guid") for u in users if (u.get("name") or "").startswith("qualcode machine"))
        ours = next(c for c in root.iter(q("Coding")) if c.get("creatingUser") == machine)
        ours.set("creatingUser", dana)  # a tool that drops our user: the machine note still tells it apart
        codes = root.find(f"{q('CodeBook')}/{q('Codes')}")
        assert codes is not None
        ET.SubElement(codes, q("Code"), {"guid": code, "name": f"  {leaf.label.upper()} ", "isCodable": "true"})
        source = next(s for s in root.iter(q("TextSource")) if s.get("name") == source_id)
        source.set("name", "Interview 3.docx")  # renamed in the other tool: matched by its identical text
        spans = [(int(first.start), int(second.end), code),  # two whole statements, matched by name
                 (int(third.start) + 2, int(third.start) + 9, "{" + code_guid(leaf.id).upper() + "}")]  # a phrase
        for number, (start, end, target) in enumerate(spans):
            selection = ET.Element(q("PlainTextSelection"), {
                "guid": f"6b29fc40-ca47-1067-b31d-00dd0106630{number}", "startPosition": str(start),
                "endPosition": str(end), "creatingUser": dana})
            coding = ET.SubElement(selection, q("Coding"), {
                "guid": f"6b29fc40-ca47-1067-b31d-00dd0106640{number}", "creationDateTime": "2026-03-12T14:30:00"})
            ET.SubElement(coding, q("CodeRef"), {"targetGUID": target})
            source.insert(0, selection)

    foreign = tmp_path / "from_nvivo.qdpx"
    _edit_qdpx(coded.qdpx, foreign, edit, rename=True)
    frame = import_codings(coded.project, foreign)
    danas = frame[frame["coder"] == "Dana (NVivo)"]
    assert set(danas["segment_id"]) == {first.segment_id, second.segment_id, third.segment_id}
    assert set(danas["code_id"]) == {leaf.id} and set(danas["decision"]) == {"add"}
    assert set(danas["decided_at"]) == {"2026-03-12T14:30:00+00:00"} and danas["valence"].isna().all()
    assert len(frame) == len(danas) + 3  # and our own people's decisions; never the machine's


def _as_qualcoder_writes_it(source: Path, target: Path) -> None:
    """Our export rewritten the way QualCoder exports a project: every GUID its own (upper case, in braces), owner
    on the selection and its Coding, date on the selection only, the memo as the selection's Description and no
    Notes, and each source's text file starting with a byte-order mark."""
    ET.register_namespace("", PROJECT_NS)
    with zipfile.ZipFile(source) as archive:
        entries = {info.filename: archive.read(info) for info in archive.infolist()}
    root = ET.fromstring(entries.pop("project.qde"))
    fresh: dict[str, str] = {}

    def theirs(guid: str) -> str:
        return fresh.setdefault(guid, "{" + str(uuid.uuid5(uuid.NAMESPACE_DNS, guid)).upper() + "}")

    for element in root.iter():
        for name in ("guid", "targetGUID", "creatingUser"):
            if element.get(name):
                element.set(name, theirs(element.get(name) or ""))
        if element.tag == q("Coding"):
            element.attrib.pop("creationDateTime", None)
            for note in element.findall(q("NoteRef")):
                element.remove(note)
    for notes in root.findall(q("Notes")):
        root.remove(notes)
    files: dict[str, bytes] = {}
    for text_source in root.iter(q("TextSource")):
        old = (text_source.get("plainTextPath") or "").removeprefix("internal://")
        new = (text_source.get("guid") or "").strip("{}") + ".txt"
        text_source.set("plainTextPath", f"internal://{new}")
        files[f"sources/{new}"] = "\ufeff".encode() + entries[f"sources/{old}"]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", ET.tostring(root, encoding="utf-8", xml_declaration=True))
        for name, data in files.items():
            archive.writestr(name, data)


def test_a_qdpx_as_qualcoder_writes_it_reads_back_the_same_decisions(coded: Coded, tmp_path: Path) -> None:
    foreign = tmp_path / "from_qualcoder.qdpx"
    _as_qualcoder_writes_it(coded.qdpx, foreign)
    exchange, ours = read_qdpx(foreign), read_qdpx(coded.qdpx)
    assert not {c.guid for c in exchange.codes} & {c.guid for c in ours.codes}
    texts, _, _, _ = store_frames(coded.project)
    assert {s.name: s.text for s in exchange.sources} == texts  # the mark is gone, the text exact
    assert sorted((c.start, c.end, c.note, c.created) for c in exchange.codings) == sorted(
        (c.start, c.end, c.note, c.created) for c in ours.codings)  # offsets count after the mark
    assert import_codings(coded.project, foreign).equals(import_codings(coded.project, coded.qdpx))


def test_an_unknown_code_or_a_changed_text_stops_the_import(coded: Coded, tmp_path: Path) -> None:
    def unknown_code(root: ET.Element) -> None:
        codes = root.find(f"{q('CodeBook')}/{q('Codes')}")
        assert codes is not None
        ET.SubElement(codes, q("Code"), {"guid": "6b29fc40-ca47-1067-b31d-00dd01066500", "name": "Totally new theme",
                                         "isCodable": "true"})
        coding = next(root.iter(q("Coding")))
        reference = coding.find(q("CodeRef"))
        assert reference is not None
        reference.set("targetGUID", "6b29fc40-ca47-1067-b31d-00dd01066500")
        coding.set("creatingUser", "6b29fc40-ca47-1067-b31d-00dd01066501")
        for note in coding.findall(q("NoteRef")):  # a person's own coding, not our machine's with its note
            coding.remove(note)

    _edit_qdpx(coded.qdpx, tmp_path / "unknown.qdpx", unknown_code)
    with pytest.raises(BadExchangeFile, match=r"\[E405\].*unknown.qdpx.*'Totally new theme'") as raised:
        import_codings(coded.project, tmp_path / "unknown.qdpx")
    assert "codebook" in raised.value.hint

    with zipfile.ZipFile(coded.qdpx) as archive, zipfile.ZipFile(tmp_path / "edited.qdpx", "w") as out:
        for info in archive.infolist():
            data = archive.read(info)
            out.writestr(info.filename, data.replace(b" ", b"  ") if info.filename.startswith("sources/") else data)
    with pytest.raises(BadExchangeFile, match="differs from the text qualcode stored"):
        import_codings(coded.project, tmp_path / "edited.qdpx")


@pytest.mark.parametrize(("start", "end", "expected"), [
    (0, 10, ["a"]),  # exactly one statement
    (2, 6, ["a"]),  # a phrase inside it
    (0, 20, ["a", "b"]),  # two statements
    (8, 20, ["b"]),  # a fifth of the first is not the first
    (5, 15, ["a", "b"]),  # half of each is each
    (10, 10, ["b"]),  # an empty selection belongs where it stands
    (30, 40, []),  # a gap (an interviewer turn)
])
def test_a_selection_stands_for_the_statements_it_covers(start: int, end: int, expected: list[str]) -> None:
    assert covered_segments(start, end, [("a", 0, 10), ("b", 10, 20), ("c", 40, 50)]) == expected


NON_BMP = """\
---
id: emoji-01
site: LA9
role: council senior manager
agency: children's social care
source_type: interview
date: 2026-03-11
---
Interviewer: How did the review week go for the team? 😀
Respondent: The café team said the new duty rota 🎉 works really well for families on the estate.
Respondent: Morale in the équipe has improved 👍🏽 since the monthly audit programme started.
Respondent: Supervision happens every month now and it is properly recorded 𝒮 on the system.
"""


def test_offsets_are_code_points_beyond_the_basic_plane(tmp_path: Path, segmenter: Segmenter,
                                                        detector: Detector) -> None:
    project = init_project(tmp_path / "emoji")
    (project.inbox / "emoji-01.txt").write_text(NON_BMP, encoding="utf-8")
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert not report.set_aside, [o.reason for o in report.set_aside]
    codebook = project_codebook(project)
    with Store(project.store_path) as store:
        text = store.source_text("emoji-01")
        segments = store.segments("emoji-01")
        assert len(text.encode("utf-16-le")) // 2 > len(text)  # UTF-16 would count differently
        late = segments[segments["start"] > text.index("🎉")]
        assert len(late) >= 2
        decisions = pd.DataFrame({"segment_id": list(late["segment_id"][:2]), "codebook": codebook.name,
                                  "code_id": codebook.leaves[0].id, "decision": "add", "valence": None,
                                  "coder": "zoë", "decided_at": DECIDED})
        with store.transaction():
            store.add_decisions(decisions)
    Workspace(project).exchange_export(tmp_path / "emoji.qdpx")
    exchange = read_qdpx(tmp_path / "emoji.qdpx")
    assert [s.text for s in exchange.sources] == [text]
    with zipfile.ZipFile(tmp_path / "emoji.qdpx") as archive:
        assert archive.read(f"sources/{source_guid('emoji-01')}.txt") == text.encode("utf-8")
    spans = sorted((c.start, c.end) for c in exchange.codings)
    assert spans == sorted(zip(late["start"][:2], late["end"][:2], strict=True))
    for start, end in spans:
        assert text[start:end] in set(late["text"])
    frame = import_codings(project, tmp_path / "emoji.qdpx")
    assert list(frame["segment_id"]) == sorted(late["segment_id"][:2]) and set(frame["coder"]) == {"zoë"}


def test_deep_nesting_and_oversized_members_are_refused_with_an_error_not_a_traceback(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from qualcode.cli import app
    from qualcode.exchange.reading import MAX_MEMBER

    depth = 5000  # beyond Python's recursion limit
    codes = "".join(f'<Code guid="{uuid.uuid4()}" name="c{i}" isCodable="true">' for i in range(depth))
    deep = ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>' + codes + "</Code>" * depth
            + "</Codes></CodeBook>")
    (tmp_path / "deep.qdc").write_text(deep, encoding="utf-8")
    result = CliRunner().invoke(app, ["exchange", "import-codebook", str(tmp_path / "deep.qdc"),
                                      "--out", str(tmp_path / "book.yaml")])
    assert result.exit_code != 0 and "E405" in result.output and "levels deep" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    with zipfile.ZipFile(tmp_path / "deep.qdpx", "w") as archive:
        archive.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>'
                         + codes + "</Code>" * depth + "</Codes></CodeBook></Project>")
    with pytest.raises(BadExchangeFile, match="levels deep"):
        read_qdpx(tmp_path / "deep.qdpx")
    with (zipfile.ZipFile(tmp_path / "big.qdpx", "w", compression=zipfile.ZIP_DEFLATED) as archive,
          archive.open("project.qde", "w") as member):  # compresses to almost nothing
        chunk = b" " * 1_000_000
        for _ in range(MAX_MEMBER // len(chunk) + 1):
            member.write(chunk)
    with pytest.raises(BadExchangeFile, match="larger than"):
        read_qdpx(tmp_path / "big.qdpx")
