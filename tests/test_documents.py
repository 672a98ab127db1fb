"""Before the week: the council's documents (PDF, Word) and performance data read into the store, and set beside
what people say: claims against voices, the data's outliers, proposed hypotheses."""

from __future__ import annotations

import io
import re
import shutil
import zlib
from collections import Counter
from pathlib import Path

import docx
import pandas as pd
import pytest

from conftest import REVIEW_WEEK, real_pdf
from qualcode.anonymise.detector import Detector
from qualcode.codebook import load_codebook
from qualcode.errors import BadIndicators, NoTextLayer
from qualcode.ingest import parse_file, read_source
from qualcode.ingest.indicators import period_key, read_indicators
from qualcode.ingest.pdf import read_pdf
from qualcode.prereview.claims import cite
from qualcode.prereview.indicators import BETTER, WORSE, assess_indicators
from qualcode.prereview.stated import stated_valence
from qualcode.project import Project, init_project
from qualcode.segment import Segmenter
from qualcode.store import Store
from qualcode.workspace.ingest import ingest_inbox
from qualcode.workspace.reports import Report

PRE_REVIEW = REVIEW_WEEK / "pre-review"
CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "safeguarding_lines_of_enquiry.yaml"


def picture_pdf(pages: int) -> bytes:
    """A PDF whose pages are pictures only (a grey square each), as a scanner makes them: no text layer."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(pages))
               + b"] /Count %d >>" % pages]
    pixels = zlib.compress(bytes([128]) * 64)
    image = (b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 "
             b"/Filter /FlateDecode /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream")
    draw = b"q 500 0 0 700 50 50 cm /Im1 Do Q"
    image_number = 3 + 2 * pages
    for i in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources << /XObject << /Im1 %d 0 R "
                       b">> >> /Contents %d 0 R >>" % (image_number, 4 + 2 * i))
        objects.append(b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream")
    objects.append(image)
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start))
    return out.getvalue()


def _alphanumerics(text: str) -> Counter[str]:
    return Counter(c for c in text if c.isalnum())


# --- documents ---------------------------------------------------------------------------------------------------

def test_a_board_minutes_pdf_keeps_its_pages_and_headings(segmenter: Segmenter) -> None:
    path = PRE_REVIEW / "board-minutes.pdf"
    source, _ = read_source(path, path.read_bytes(), name=path.name)
    assert source.meta.source_type == "document"
    pages = {t.page for t in source.turns}
    assert pages == {1, 2, 3, 4}
    headings = [source.text[t.start:t.end] for t in source.turns if t.role == "heading"]
    assert "5. Annual report" in headings and len(headings) >= 6
    furniture = [source.text[t.start:t.end] for t in source.turns if t.role == "page furniture"]
    assert "Page 2 of 4" in furniture
    statements = segmenter.segment(source)
    assert statements and all(s.page in pages for s in statements)
    assert not {s.text for s in statements} & {*headings, *furniture}  # neither is said by anyone
    late = next(s for s in statements if "late and still in draft" in s.text)
    assert late.section == "5. Annual report" and late.question == "5. Annual report"
    cited = cite("board minutes", late.page, late.section)
    assert cited == f"board minutes p.{late.page} \u00a7\u201c5. Annual report\u201d"


def test_a_word_self_evaluation_is_a_document_with_sections_lists_and_tables(segmenter: Segmenter) -> None:
    path = PRE_REVIEW / "self-evaluation.docx"
    source, _ = read_source(path, path.read_bytes(), name=path.name)
    assert source.meta.source_type == "document"
    statements = segmenter.segment(source)
    supervision = next(s for s in statements if "regular and reflective" in s.text)
    assert supervision.section and "supervision" in supervision.section.casefold()
    assert any(s.text.startswith("Priority | Owner | By when") for s in statements)  # a table row, cell by cell
    assert not {t.speaker for t in source.turns} - {None}  # "Date:" and "Priority:" are not speakers


def test_a_word_document_built_here_reads_headings_bullets_and_rows_in_order() -> None:
    document = docx.Document()
    document.add_heading("Early help", level=1)
    document.add_paragraph("Early help assessments rose by a fifth in the year.")
    document.add_paragraph("Thresholds are understood by schools.", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, (left, right) in zip(table.rows, [("Measure", "Value"), ("Assessments", "1,204")], strict=True):
        row.cells[0].text, row.cells[1].text = left, right
    document.add_heading("Front door", level=1)
    document.add_paragraph("The MASH makes decisions within a day.")
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = parse_file(Path("report.docx"), buffer.getvalue())
    assert parsed.source_type == "document"
    assert [(t.is_heading, t.text) for t in parsed.turns] == [
        (True, "Early help"), (False, "Early help assessments rose by a fifth in the year."),
        (False, "Thresholds are understood by schools."), (False, "Measure | Value"), (False, "Assessments | 1,204"),
        (True, "Front door"), (False, "The MASH makes decisions within a day.")]


def test_a_pdf_of_pictures_is_refused_as_a_scan() -> None:
    with pytest.raises(NoTextLayer) as refused:
        read_pdf(Path("scan.pdf"), picture_pdf(3))
    assert "3 page(s)" in refused.value.message and "OCR" in str(refused.value)


@pytest.mark.slow
def test_a_scanned_pdf_in_the_inbox_is_set_aside_with_its_reason(tmp_path: Path, segmenter: Segmenter,
                                                                  detector: Detector) -> None:
    project = init_project(tmp_path / "project")
    (project.inbox / "scan.pdf").write_bytes(picture_pdf(2))
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert [o.status for o in report.outcomes] == ["rejected"]
    reason = (project.rejected / "scan.pdf.reason.txt").read_text()
    assert "[E114]" in reason and "has a text layer: it is a scan" in reason and "OCR" in reason


@pytest.mark.slow
def test_a_real_published_pdf_loses_no_text_against_a_second_extractor() -> None:
    """Every character pdfminer.six finds on each page of a real 114-page manual is in what qualcode read from that
    page (running headers and page numbers included, kept as page furniture), and nothing is added."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    manual = real_pdf()
    parsed = read_pdf(manual, manual.read_bytes())
    ours: dict[int, list[str]] = {}
    for turn in parsed.turns:
        ours.setdefault(turn.page or 0, []).append(turn.text)
    pages = list(extract_pages(manual))
    assert len(pages) >= 30
    assert not [c for turn in parsed.turns for c in turn.text if ord(c) < 32]  # PDFium's line-end marks are gone
    assert "developers" in " ".join(turn.text for turn in parsed.turns)  # "devel-" + "opers" joined again
    for number, page in enumerate(pages, start=1):
        theirs = _alphanumerics("".join(e.get_text() for e in page if isinstance(e, LTTextContainer)))
        mine = _alphanumerics(" ".join(ours.get(number, [])))
        lost, added = sum((theirs - mine).values()), sum((mine - theirs).values())
        assert theirs == mine, f"page {number}: {lost} characters lost, {added} added"


@pytest.mark.slow
def test_a_real_published_pdf_ingests_with_page_referenced_statements(tmp_path: Path, segmenter: Segmenter,
                                                                       detector: Detector) -> None:
    project = init_project(tmp_path / "project")
    shutil.copyfile(real_pdf(), project.inbox / "manual.pdf")
    report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert [o.status for o in report.outcomes] == ["added"], [o.reason for o in report.outcomes]
    with Store(project.store_path) as store:
        statements = store.segments()
        kinds = store.sources()["source_type"].tolist()
    assert kinds == ["document"]
    assert statements["page"].notna().all() and statements["page"].nunique() >= 90
    assert statements["section"].notna().mean() > 0.95
    assert set(statements["role"]) == {"unknown"}  # no heading and no page furniture is a statement
    # the gate keeps a written manual's words: 26.7 placeholders per 1,000 words before it read a document's terms
    # and paths as such ("the Uploaders field", "debian/rules"), 14.7 after (e-mail addresses, and the project's
    # name, Debian, which it takes for a name)
    words = statements["text"].str.split().str.len().sum()
    placeholders = statements["text"].str.count(r"\[[A-Z_]+_\d+\]").sum()
    assert 1000 * placeholders / words <= 18, 1000 * placeholders / words


# --- performance data --------------------------------------------------------------------------------------------

def test_the_sample_performance_data_reads_as_figures_with_comparators() -> None:
    path = PRE_REVIEW / "performance.xlsx"
    values = read_indicators(path, path.read_bytes())
    assert values is not None
    assert set(values["series"]) == {"value", "statistical neighbours", "england"}
    assert values["indicator"].nunique() >= 10 and values["value"].dtype == float
    assert read_indicators(REVIEW_WEEK / "day3" / "rw-d3-05_partner-questionnaire.xlsx",
                           (REVIEW_WEEK / "day3" / "rw-d3-05_partner-questionnaire.xlsx").read_bytes()) is None


def test_indicators_are_mapped_trended_and_the_planted_outliers_flagged() -> None:
    """The outliers planted in the sample (corpora/samples/review_week/README.md, pre-review): agency social
    workers, turnover and caseloads worse than both comparators; police participation looks fine."""
    path = PRE_REVIEW / "performance.xlsx"
    values = read_indicators(path, path.read_bytes())
    assert values is not None
    assessed = assess_indicators(values, load_codebook(CODEBOOK)).set_index("indicator")
    worse = set(assessed.index[assessed["flag"] == WORSE])
    assert worse == {"Agency social workers", "Social worker turnover", "Average caseload per social worker"}
    assert set(assessed.loc[sorted(worse), "code_id"]) == {"loe.capacity_resources"}
    assert assessed.loc["Agency social workers", "trend"] == "worsening"
    police = assessed.loc["Strategy discussions with police participation"]
    assert police["flag"] == "" and police["code_id"] == "loe.partnership_lscb"


def test_an_indicator_better_than_every_comparator_is_flagged_and_settings_can_map_it() -> None:
    values = pd.DataFrame([
        {"indicator": "Timely visits", "period": p, "series": s, "value": v, "unit": "%", "better": "higher",
         "code_id": None, "line": 2} for p, s, v in [("2023", "value", 80.0), ("2024", "value", 96.0),
                                                     ("2024", "england", 70.0), ("2024", "region", 75.0)]])
    codebook = load_codebook(CODEBOOK)
    row = assess_indicators(values, codebook, {"timely visits": "loe.frontline_practice"}).iloc[0]
    assert (row["flag"], row["trend"], row["code_id"], row["mapped_by"]) == (
        BETTER, "improving", "loe.frontline_practice", "settings")


def test_a_figure_that_is_not_a_number_is_refused_by_line_and_column_without_its_value(tmp_path: Path) -> None:
    table = "indicator,period,value,england\nRe-referrals,2024-25,22%,21\nRe-referrals,2025-26,Kayleigh,20\n"
    with pytest.raises(BadIndicators) as refused:
        read_indicators(Path("data.csv"), table.encode())
    assert refused.value.line == 3 and "Column 3" in refused.value.message
    assert "Kayleigh" not in str(refused.value)


def test_periods_are_ordered_as_people_write_them_and_words_are_no_comparator() -> None:
    written = ["2025-26", "Q1 2024", "2024-25", "2025-26 Q3", "Q4 2023", "Mar 2024", "Feb 2024"]
    assert sorted(written, key=period_key) == ["Q4 2023", "Feb 2024", "Mar 2024", "Q1 2024", "2024-25", "2025-26 Q3",
                                               "2025-26"]
    table = ("indicator,description,period,value,england\n"
             "Re-referrals,Children referred again within a year,Q4 2023,25,21\n"
             "Re-referrals,Children referred again within a year,Q1 2024,22,21\n")
    values = read_indicators(Path("data.csv"), table.encode())
    assert values is not None and set(values["series"]) == {"value", "england"}
    row = assess_indicators(values.assign(better="lower"), load_codebook(CODEBOOK)).iloc[0]
    assert (row["period"], row["previous_period"], row["trend"]) == ("Q1 2024", "Q4 2023", "improving")


@pytest.mark.slow
def test_performance_data_in_the_inbox_goes_to_the_store_as_figures_not_statements(
        tmp_path: Path, segmenter: Segmenter, detector: Detector) -> None:
    project = init_project(tmp_path / "project")
    shutil.copyfile(PRE_REVIEW / "performance.xlsx", project.inbox / "performance.xlsx")
    first = ingest_inbox(project, segmenter=segmenter, detector=detector)
    again = ingest_inbox(project, segmenter=segmenter, detector=detector)
    assert [o.status for o in first.outcomes] == ["added"] and [o.status for o in again.outcomes] == ["skipped"]
    with Store(project.store_path) as store:
        assert store.counts()["sources"] == 0
        figures = store.indicator_values()
    assert len(figures) >= 100 and set(figures["dataset_id"]) == {"performance.xlsx"}


# --- documents beside voices -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "valence"), [
    ("Supervision is a strength: 94% of social workers receive it monthly.", "strength"),
    ("Case recording is timely and up to date.", "strength"),
    ("We recognise that our reliance on agency social workers is too high.", "area_for_improvement"),
    ("Supervision is not consistently reflective.", "area_for_improvement"),
    ("Feedback to referrers is consistently late.", "area_for_improvement"),
    ("Audits consistently find poor recording.", "area_for_improvement"),
    ("Strategy discussions are consistently multi-agency: partners attend them consistently.", "strength"),
    ("The board met four times in the year.", None),
])
def test_a_documents_own_set_phrases_give_its_valence(text: str, valence: str | None) -> None:
    assert stated_valence(text) == valence


@pytest.mark.slow
def test_the_demo_briefing_sets_documents_data_and_voices_side_by_side(
        review_week_reports: tuple[Project, list[Report]]) -> None:
    """The last night of the sample week: every hypothesis shows the documents, the data and the voices; the
    self-evaluation's planted claims are set against the week's interviews; at least two proposals match what the
    sample's documents and data plant (README, pre-review: agency staff and caseloads, feedback to referrers)."""
    _, reports = review_week_reports
    last = reports[-1]
    found = last.prereview
    assert found is not None and found.documents == 2
    assert list(found.side_by_side["hypothesis_id"]) == list(last.analysis.summary["hypothesis_id"])
    opposed = found.contradictions
    planted = opposed[(opposed["hypothesis_id"] == "H2") & (opposed["document"] == "self-evaluation")]
    assert len(planted) == 1 and re.search(r"reflective|recording", planted.iloc[0]["document_claim"])
    assert planted.iloc[0]["document_cite"].startswith("self-evaluation \u00a7")
    assert planted.iloc[0]["voices_lean"] == "for"
    proposals = found.proposals
    on_workforce = proposals[proposals["codes"].map(lambda c: "loe.capacity_resources" in c)
                             & proposals["statement"].str.contains("agency|caseload", case=False)]
    on_referrers = proposals[proposals["statement"].str.contains("referr", case=False)]
    assert len(on_workforce) >= 2 and len(on_referrers) >= 1
    assert set(on_workforce["tested_by"]) & {"H4"} and "H5" in set(on_referrers["tested_by"])

    briefing = last.briefing.read_text(encoding="utf-8")
    section = briefing.split('id="documents-data-voices"', 1)[1].split("</section>", 1)[0]
    for hypothesis_id in found.side_by_side["hypothesis_id"]:
        assert f'data-hypothesis="{hypothesis_id}"' in section
    assert 'class="contradiction" data-hypothesis="H2"' in section and "worse than comparators" in section
    assert (last.folder / "proposed-hypotheses.yaml").read_text().count("- id: H-P") == len(proposals)
    statements = last.analysis.statements
    assert not (statements["source_type"] == "document").any()  # never a voice in a verdict or a matrix
