"""The anonymisation gate on real presidio and spaCy: recall, consistency, the key, quarantine, no leaks."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import GOLD, REALDATA, REPO, SEEDED, offline_env
from qualcode.anonymise.detector import Detector
from qualcode.anonymise.entities import PLACEHOLDER, STRUCTURED
from qualcode.anonymise.evaluate import KEPT, evaluate, load_labelled
from qualcode.anonymise.gate import Anonymiser
from qualcode.anonymise.pseudonyms import Pseudonyms, read_key
from qualcode.cli import EXIT_OK, app
from qualcode.ingest.readers import read_source
from qualcode.project import Project, init_project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace.ingest import ingest_inbox

runner = CliRunner()
ORIGINALS = [line for line in (SEEDED / "originals.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("labels", ["anonymisation.jsonl", "anonymisation_holdout.jsonl"])
def test_labelled_sets_meet_the_recall_and_precision_targets(detector: Detector, labels: str) -> None:
    """The sets written with the old recognisers: smoke tests that what they caught is still caught."""
    table = evaluate(detector, load_labelled(GOLD / labels)).set_index("type")
    assert len(load_labelled(GOLD / labels)) >= 40
    for kind in STRUCTURED & set(table.index):
        assert table.loc[kind, "recall"] == 1.0, kind
    assert table.loc["PERSON", "recall"] >= 0.95
    assert table.loc["SCHOOL", "recall"] >= 0.90 and table.loc["PLACE", "recall"] >= 0.90
    assert table.loc["overall", "precision"] >= 0.90


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("she kept getting calls from a 0161 496 number", "PHONE", "0161 496"),
    ("her NI number, ZB 472 913 D, had been used", "NI_NUMBER", "ZB 472 913 D"),
    ("he's on snap as kayden.r_0712 apparently", "HANDLE", "kayden.r_0712"),
    ("placed at 9 Mill Lane, Hetton, which is", "ADDRESS", "9 Mill Lane, Hetton"),
    ("living at flat 2 17 cotton street with", "ADDRESS", "flat 2 17 cotton street"),
    ("her account is kay.rose_x and she posts", "HANDLE", "kay.rose_x"),
    ("- Case (raised by staff): JB, 14, seen twice", "AGE", "14"),
    ("the forum (Tiana, 16) said", "AGE", "16"),
])
def test_written_identifiers_in_less_usual_shapes_are_found(detector: Detector, text: str, kind: str,
                                                            value: str) -> None:
    found = [(f.kind, text[f.start:f.end]) for f in detector.detect([text], [])[0]]
    assert (kind, value) in found, found


@pytest.mark.slow
@pytest.mark.parametrize(("labels", "recall"), [("dev.jsonl", 0.92), ("holdout.jsonl", 0.91),
                                                ("holdout2.jsonl", 0.90), ("holdout3.jsonl", 0.91),
                                                ("holdout4.jsonl", 0.89), ("holdout5.jsonl", 0.88)])
def test_spoken_transcripts_written_apart_from_the_gate_lose_every_identifier_and_keep_their_words(
        detector: Detector, labels: str, recall: float) -> None:
    """Auto-transcripts, transcripts and notes written by someone who had not read the recognisers (the gate was
    developed against these six, each scored once as a held-out set first): no structured identifier survives,
    nearly every name goes, the field's own words stay."""
    passages = load_labelled(GOLD / "speech" / labels)
    table = evaluate(detector, passages).set_index("type")
    assert len(passages) >= 20 and table.loc["overall", "support"] >= 500
    for kind in STRUCTURED & set(table.index):
        assert table.loc[kind, "recall"] == 1.0, kind
    assert table.loc["overall", "recall"] >= recall
    assert table.loc[KEPT, "recall"] >= 0.95
    assert table.loc["overall", "precision"] >= 0.95


@pytest.mark.slow
def test_the_held_out_spoken_set_stays_at_what_it_measured(detector: Detector) -> None:
    """The set written last (holdout6), never tuned against, scored once (README: Anonymisation). It does not yet
    meet the targets (structured 1.00, all 0.95): these floors stop it sliding back while the gate improves
    elsewhere."""
    table = evaluate(detector, load_labelled(GOLD / "speech" / "holdout6.jsonl")).set_index("type")
    structured = table[table.index.isin(STRUCTURED)]
    assert table.loc["overall", "support"] >= 800
    assert structured["caught"].sum() / structured["support"].sum() >= 0.95
    assert table.loc["overall", "recall"] >= 0.83 and table.loc["overall", "precision"] >= 0.97
    assert table.loc[KEPT, "recall"] >= 0.98


@pytest.mark.slow
def test_real_spoken_transcripts_keep_their_words(detector: Detector, segmenter: Segmenter) -> None:
    """The real auto-transcribed interviews (Côté et al. 2022, in ../shared/realdata): at most 3 placeholders per
    1,000 words, and no statement holds half a placeholder."""
    interviews = sorted((REALDATA / "interviews").glob("*.txt"))
    if not interviews:
        pytest.skip(f"the real interviews are not at {REALDATA} (see ../shared/realdata/README.md)")
    gate = Anonymiser(detector, Pseudonyms(b"test"))
    placeholders = words = 0
    for path in interviews:
        source, _ = read_source(path, path.read_bytes(), name=path.name, gate=gate)
        placeholders += len(PLACEHOLDER.findall(source.text))
        words += len(re.findall(r"[^\W\d_][\w'’]*", PLACEHOLDER.sub(" ", source.text)))
        for segment in segmenter.segment(source):  # the transcripts hold "[" of their own ("[00:39:00]")
            assert not re.search(r"\[[A-Z_]+(?:_\d*)?$|^[A-Z_]*_\d+\]", segment.text), segment.id
    assert words > 100_000
    assert 1000 * placeholders / words <= 3.0


def test_evaluate_command_prints_recall_per_type() -> None:
    result = runner.invoke(app, ["anonymise", "--evaluate", str(GOLD / "anonymisation.jsonl")])
    assert result.exit_code == EXIT_OK, result.output
    for kind in ("PERSON", "NHS_NUMBER", "SCHOOL", "overall"):
        assert kind in result.output
    assert "precision" in result.output


def _seeded_project(root: Path, detector: Detector, segmenter: Segmenter, keep_key: bool = True) -> Project:
    project = init_project(root)
    if not keep_key:
        config = project.root / "qualcode.yaml"
        config.write_text(config.read_text().replace("keep_key: true", "keep_key: false"))
        project = Project.open(root)
    shutil.copytree(SEEDED, project.inbox / "seeded", ignore=shutil.ignore_patterns("originals.txt"))
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert len(report.added) == 5, [o.reason for o in report.set_aside]
    return project


@pytest.mark.slow
def test_no_seeded_identifier_reaches_anything_the_project_writes(tmp_path: Path, detector: Detector) -> None:
    project = init_project(tmp_path / "review")
    shutil.copytree(SEEDED, project.inbox / "seeded", ignore=shutil.ignore_patterns("originals.txt"))
    logs = project.root / "logs"
    logs.mkdir()
    with (logs / "ingest.log").open("w") as log:
        done = subprocess.run([sys.executable, "-m", "qualcode.cli", "--verbose", "ingest", str(project.root)],
                              stdout=log, stderr=subprocess.STDOUT, cwd=REPO, timeout=300,
                              env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == EXIT_OK, (logs / "ingest.log").read_text()
    with (logs / "segments.log").open("w") as log:
        subprocess.run([sys.executable, "-m", "qualcode.cli", "segments", str(project.root), "--out",
                        str(project.outputs / "segments.csv")], stdout=log, stderr=subprocess.STDOUT,
                       cwd=REPO, timeout=120, check=True)
    written = [p for p in project.root.rglob("*") if p.is_file()
               and project.inbox not in p.parents and p.parent != project.key_path.parent]
    assert {p.name for p in written} >= {"qualcode.db", "segments.csv", "ingest.log", "qualcode.yaml"}
    for path in written:
        content = path.read_bytes().decode("utf-8", errors="replace").casefold()
        leaked = [value for value in ORIGINALS if value.casefold() in content]
        assert not leaked, f"{path.name} holds {len(leaked)} original value(s)"
    # the key holds them instead, readable by the owner alone
    key = read_key(project.key_path)
    assert stat.S_IMODE(project.key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(project.secret_path.stat().st_mode) == 0o600
    assert {"Tayla Brennan", "Oskar Malinowski"} <= {entry.original for entry in key.values()}


@pytest.mark.slow
def test_no_seeded_identifier_reaches_anything_a_nightly_run_writes(tmp_path: Path) -> None:
    """A whole nightly run (ingest, code, report, Prefect's own records) over the seeded sample and two files it must
    refuse, one named after a child: nothing the project writes outside the inbox and private/ holds a seeded value,
    not the store, outputs, reasons, caches, logs or Prefect's database."""
    project = init_project(tmp_path / "review")
    shutil.copytree(SEEDED, project.inbox / "seeded", ignore=shutil.ignore_patterns("originals.txt"))
    (project.inbox / "Tayla Brennan notes.json").write_text('{"turns": [{"speaker": "Tayla Brennan", "text": ')
    (project.inbox / "seeded" / "tariq.docx").write_bytes(b"Tariq Rafiq, 0113 496 0915, not a Word file")
    env, network = offline_env(tmp_path)
    done = subprocess.run([sys.executable, "-m", "qualcode.cli", "--verbose", "nightly", str(project.root),
                           "--date", "2026-03-12"], capture_output=True, text=True, cwd=REPO, timeout=900, env=env)
    assert done.returncode in (EXIT_OK, 3), done.stdout[-2000:] + done.stderr[-2000:]
    assert (project.root / ".prefect" / "prefect.db").is_file() and not network.exists()
    assert len(list(project.rejected.glob("*.reason.txt"))) == 2
    written = [p for p in project.root.rglob("*") if p.is_file() and project.key_path.parent not in p.parents
               and (project.inbox not in p.parents or p.name.endswith(".reason.txt"))]
    assert any(p.suffix == ".html" for p in written) and any(p.name == "prefect.db" for p in written)
    said = (done.stdout + done.stderr).casefold()
    assert not [value for value in ORIGINALS if value.casefold() in said]
    for path in written:
        content = path.read_bytes().decode("utf-8", errors="replace").casefold()
        leaked = [value for value in ORIGINALS if value.casefold() in content]
        assert not leaked, f"{path.relative_to(project.root)} holds {len(leaked)} original value(s)"


def test_the_same_person_gets_the_same_placeholder_across_sources(tmp_path: Path, detector: Detector,
                                                                 segmenter: Segmenter) -> None:
    project = _seeded_project(tmp_path, detector, segmenter)
    key = read_key(project.key_path)
    tayla = next(place for place, entry in key.items() if entry.original == "Tayla Brennan")
    with Store(project.store_path) as store:
        texts = {row.source_id: store.source_text(row.source_id) for row in store.sources().itertuples()}
    assert sum(tayla in text for text in texts.values()) >= 3
    assert all("Tayla" not in text for text in texts.values())


def test_placeholders_stay_consistent_across_days_with_no_key_kept(tmp_path: Path, detector: Detector,
                                                                  segmenter: Segmenter) -> None:
    project = init_project(tmp_path)
    config = project.root / "qualcode.yaml"
    config.write_text(config.read_text().replace("keep_key: true", "keep_key: false"))
    project = Project.open(tmp_path)
    (project.inbox / "mon.txt").write_text("Social Worker: I visited Kayla Morris at home on Monday.\n")
    ingest_inbox(project, segmenter=segmenter, detector=detector)
    (project.inbox / "thu.txt").write_text("Team Manager: The plan for Kayla Morris was never reviewed.\n")
    ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert not project.key_path.exists()
    with Store(project.store_path) as store:
        monday, thursday = store.source_text("mon.txt"), store.source_text("thu.txt")
    placeholder = monday.split("visited ")[1].split(" at")[0]
    assert placeholder.startswith("[PERSON_") and placeholder in thursday
    assert "Kayla" not in monday + thursday and "Morris" not in monday + thursday
    raw = project.store_path.read_bytes()
    assert b"Kayla" not in raw and b"Morris" not in raw


def test_allow_and_deny_lists_fix_misses_and_over_redactions(tmp_path: Path, segmenter: Segmenter) -> None:
    project = init_project(tmp_path)
    config = project.root / "qualcode.yaml"
    config.write_text(config.read_text().replace("allow: []", "allow: [Thornbury]")
                      .replace("deny: []", "deny: [Bubba, 'SCHOOL:the Den']"))
    project = Project.open(tmp_path)
    (project.inbox / "a.txt").write_text(
        "Team Manager: The Thornbury team covers the north. Bubba was seen at the Den on Friday.\n")
    ingest_inbox(project, segmenter=segmenter)
    with Store(project.store_path) as store:
        text = store.source_text("a.txt")
    assert "Thornbury" in text and "Bubba" not in text and "the Den" not in text
    assert "[SCHOOL_1]" in text


def test_a_source_that_still_looks_identifying_is_quarantined(tmp_path: Path, segmenter: Segmenter) -> None:
    project = init_project(tmp_path)
    config = project.root / "qualcode.yaml"
    # a detector tuned far too strict lets names through: the independent re-scan must catch them
    text = config.read_text().replace("score_threshold: 0.5", "score_threshold: 1.0")
    config.write_text(text)
    project = Project.open(tmp_path)
    (project.inbox / "day2").mkdir()
    (project.inbox / "day2" / "visit.txt").write_text(
        "Social Worker: I went out with Kayla and her brother Tyler after school.\n")
    report = ingest_inbox(project, segmenter=segmenter)
    assert [o.status for o in report.outcomes] == ["quarantined"]
    moved = project.quarantine / "day2__visit.txt"
    reason = moved.with_name(moved.name + ".reason.txt").read_text()
    assert moved.exists() and "E113" in reason and "PERSON at line 1" in reason
    assert "Kayla" not in reason and "Tyler" not in reason
    with Store(project.store_path) as store:
        assert store.counts()["sources"] == 0


def test_speaker_labels_that_are_names_are_pseudonymised_and_roles_kept(tmp_path: Path, detector: Detector,
                                                                       segmenter: Segmenter) -> None:
    project = init_project(tmp_path)
    (project.inbox / "fg.txt").write_text(
        "Interviewer: What happens at the front door?\n"
        "Sarah: Honestly it depends who is on duty.\n"
        "Social Worker 2: Sarah is right, it varies.\n")
    ingest_inbox(project, segmenter=segmenter, detector=detector)
    with Store(project.store_path) as store:
        segments = store.segments()
    speakers = list(segments["speaker"])
    assert "Sarah" not in speakers and "Social Worker 2" in speakers
    assert speakers[0].startswith("[PERSON_") and speakers[0] in segments["text"].iloc[1]


def test_a_speaker_label_of_one_uncommon_word_or_initials_is_a_person(detector: Detector) -> None:
    gate = Anonymiser(detector, Pseudonyms(b"test"))
    assert gate.label("mei").startswith("[PERSON_") and gate.label("Workforce Lead") == "Workforce Lead"
    assert re.fullmatch(r"Interviewer \(\[PERSON_\d+\]\)", gate.label("Interviewer (JW)"))


@pytest.mark.parametrize("label", ["sp1", "pt 2", "unknown speaker", "Voice 3", "mod", "Evaluator"])
def test_generic_speaker_labels_are_roles(detector: Detector, label: str) -> None:
    assert Anonymiser(detector, Pseudonyms(b"test")).label(label) == label


def test_standalone_command_writes_copies_report_and_a_private_key(tmp_path: Path) -> None:
    files = [SEEDED / name for name in ("sd-01_cp-social-worker.txt", "sd-04_health-interview.json")]
    key = tmp_path / "keys" / "key.csv"
    result = runner.invoke(app, ["anonymise", *map(str, files), "--out", str(tmp_path / "out"),
                                 "--key", str(key)])
    assert result.exit_code == EXIT_OK, result.output
    copies = sorted((tmp_path / "out").glob("*.txt"))
    # a text file's copy keeps its name; another format's keeps its extension before .txt
    assert [c.name for c in copies] == ["sd-01_cp-social-worker.txt", "sd-04_health-interview.json.txt"]
    for copy in copies:
        text = copy.read_text(encoding="utf-8").casefold()
        assert not [v for v in ORIGINALS if v.casefold() in text]
    report = pd.read_csv(tmp_path / "out" / "anonymisation-report.csv")
    assert list(report.columns) == ["source", "entity_type", "count", "placeholder", "status"]
    assert {"PERSON", "NHS_NUMBER", "PHONE"} <= set(report["entity_type"])
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = read_key(key)
    # a second run with the same key continues its placeholders
    runner.invoke(app, ["anonymise", str(files[0]), "--out", str(tmp_path / "again"), "--key", str(key)])
    assert read_key(key) == first
    assert copies[0].read_text().split("---\n", 2)[2] == (tmp_path / "again" / copies[0].name).read_text(
        ).split("---\n", 2)[2]


def test_key_file_inside_outputs_is_refused(tmp_path: Path) -> None:
    init_project(tmp_path)
    config = tmp_path / "qualcode.yaml"
    config.write_text(config.read_text().replace("key_file: private/pseudonym-key.csv",
                                                 "key_file: outputs/key.csv"))
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 2 and "E202" in result.output and "outputs" in result.output


def test_names_in_file_names_and_metadata_values_never_reach_the_store(tmp_path: Path, detector: Detector,
                                                                      segmenter: Segmenter) -> None:
    project = init_project(tmp_path)
    (project.inbox / "Hargreaves_Kayleigh_interview.txt").write_text(
        "Social Worker: The plan was reviewed on time and the family engaged well.\n")
    (project.inbox / "notes.txt").write_text(
        "---\nid: visit-notes\nrole: foster carer for Tyler Winstanley\nagency: Oakfield Primary School\n---\n"
        "Foster Carer: The placement is stable now and contact happens every week.\n")
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert len(report.added) == 2, [o.reason for o in report.set_aside]
    raw = project.store_path.read_bytes().decode("utf-8", errors="replace")
    for value in ("Hargreaves", "Kayleigh", "Winstanley", "Tyler", "Oakfield"):
        assert value not in raw, value
    with Store(project.store_path) as store:
        sources = store.sources().set_index("source_id")
    assert any(i.startswith("PERSON_") for i in sources.index)
    assert sources.loc["visit-notes", "role"].startswith("foster carer for [PERSON_")


def test_a_key_written_elsewhere_keeps_its_placeholders_and_numbering() -> None:
    from qualcode.anonymise.pseudonyms import KeyEntry, Pseudonyms

    pseudonyms = Pseudonyms(b"another secret", key={"[PERSON_1]": KeyEntry("PERSON", "Alice Brown")})
    assert pseudonyms.placeholder_for("PERSON", "Bob Green") == "[PERSON_2]"
    assert pseudonyms.placeholder_for("PERSON", "alice  brown") == "[PERSON_1]"


def test_a_speaker_label_never_appears_in_an_error_message(tmp_path: Path, detector: Detector,
                                                           segmenter: Segmenter) -> None:
    project = init_project(tmp_path)
    (project.inbox / "a.txt").write_text(
        "---\nspeakers:\n  Priyanka Okonkwo: [class teacher]\n---\nPriyanka Okonkwo: Fine.\n")
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert report.added and report.added[0].warnings[0] == (
        "a.txt: Front matter speaker 1 is not described by a role and agency and was dropped.")
    assert not any("Priyanka" in warning for warning in report.added[0].warnings)


@pytest.mark.slow  # fresh processes importing the gate and the coder: the fast tier stays under 3 minutes
def test_the_gate_imports_presidio_without_hugging_face_transformers_and_coding_still_can() -> None:
    """presidio's transformers engine is never used and importing transformers costs about 3 s in every process
    that anonymises; the same process must still be able to import it afterwards, to code."""
    check = ("import sys; from qualcode.anonymise.gate import Anonymiser; from qualcode.anonymise.presidio import "
             "EmailRecognizer; assert 'transformers' not in sys.modules, 'imported'; "
             "assert EmailRecognizer().analyze('write to kerry.walsh@example.org', ['EMAIL_ADDRESS']); "
             "import transformers, sentence_transformers; assert sys.modules['transformers'] is not None")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
