"""Write the fictional pre-review folder of the LA3 sample review week.

Writes four files into corpora/samples/review_week/pre-review/:
  self-evaluation.docx  the council's self-evaluation (SEF), dated 2026-01-30
  board-minutes.pdf     minutes of the safeguarding children partnership board, 2026-02-12 (real text layer)
  performance.xlsx      performance indicators with comparators (sheet `indicators`)
  manifest.csv          metadata for the two documents (not the workbook)

All prose lives in this file. Everything is fictional and already anonymised: people are named by role only,
and no real place, school, child or family appears. Re-runnable: each run overwrites the four files.

Written by a session that had not read qualcode's code (only the sample week's README and transcripts), so the
material is not fitted to the readers it tests. Run from the repository root:
    python3.11 -m pip install --target /tmp/sampletools fpdf2 python-docx openpyxl
    PYTHONPATH=/tmp/sampletools python3.11 scripts/make_pre_review_samples.py [OUT_DIR]
(fpdf2 writes the PDF here only; it is not a dependency of qualcode.)
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "corpora" / "samples" / "review_week" / "pre-review"

# ---------------------------------------------------------------------------------------------------------------
# 1. Self-evaluation (docx)
# ---------------------------------------------------------------------------------------------------------------
# Each section: (heading level, heading text, [blocks]); a block is ("p", text), ("bullets", [texts]) or
# ("table", header, rows).

SEF_TITLE = "Children's services self-evaluation"

SEF_INTRO = [
    "LA3 city council, children's services. Self-evaluation prepared for the safeguarding children peer review "
    "on site from 9 to 12 March 2026.",
    "Date: 30 January 2026. Approved by the Director of Children's Services and shared with the Lead Member.",
]

# The planted contradiction with F2 / H2 (loe.frontline_practice): the week finds supervision regular but not
# reflective, and recording weeks behind.
SEF_SUPERVISION_CLAIM = (
    "Supervision is a strength: 94% of social workers receive supervision every month within timescale, and that "
    "supervision is regular and reflective, using the reflective section of our supervision template to analyse "
    "what is happening for each child."
)
SEF_RECORDING_CLAIM = (
    "Case recording is timely and up to date, so that any worker, manager or partner who picks up a case can see "
    "the current picture for the child."
)
# The planted contradiction with F1 / H1 (loe.partnership_lscb): the week finds health and police rarely take
# part in strategy discussions, and the 92% counts emailed checks as "police consulted".
SEF_STRATEGY_CLAIM = (
    "Strategy discussions are consistently multi-agency: health and police partners attend strategy discussions "
    "consistently, and police participation in strategy discussions stands at 92%."
)

# The council's own stated weaknesses (areas for development).
SEF_WEAKNESS_WORKFORCE = (
    "We recognise that our reliance on agency social workers is too high: 31% of our social workers are agency "
    "staff, around twice the rate of our statistical neighbours, and social worker turnover was 22% in 2024-25."
)
SEF_WEAKNESS_CASELOADS = (
    "We need to reduce caseloads, which average 22 across the service and 26 in the assessment teams, where some "
    "workers hold more than 30 cases."
)
SEF_WEAKNESS_COST = (
    "The agency premium of about £2.6 million a year contributes to a forecast overspend of £4.2 million in "
    "2025-26."
)
SEF_WEAKNESS_FEEDBACK = (
    "An area for development is feedback to referrers: we tell referring agencies the outcome of their referral "
    "within three working days in only about half of cases."
)
SEF_WEAKNESS_VOICE = (
    "We need to hear more from children on child protection plans, only about 40% of whom attend or contribute "
    "to their conference, and an advocacy service for conferences was commissioned in January 2026."
)

SEF_SECTIONS = [
    (1, "Summary", [
        ("p", "Our last inspection judged children's services as requires improvement, and we accepted that "
              "judgement in full. Since then we have stabilised the front door, reduced the number of children "
              "on child protection plans and put the basics of management oversight firmly in place. We believe "
              "we are now a service that is improving, and we have invited the peer review team to test that "
              "view with us. This self-evaluation draws on our audit programme, our performance data and what "
              "children, families, staff and partners tell us."),
    ]),
    (1, "Leadership and governance", [
        ("p", "The Director of Children's Services and the Lead Member meet weekly, and the Lead Member holds a "
              "monthly performance session with each head of service. A monthly performance board, chaired by "
              "the Director, reviews our scorecard and the findings of our audit programme. The council has "
              "protected the social work budget in two rounds of savings, and the leader and chief executive "
              "have been clear that children's social care is protected from in-year cuts. Scrutiny receives a "
              "quarterly scorecard and has examined agency staffing, placement sufficiency and the budget this "
              "year. Our improvement plan is overseen by an improvement board that meets every two months and "
              "includes the safeguarding partners."),
    ]),
    (1, "Early help", [
        ("p", "Early help is a strength of the city. We kept our family hubs open when other areas closed "
              "theirs, and about nine hundred early help assessments are open at any time, many of them led by "
              "schools. Our rate of early help assessments is above that of our statistical neighbours. A "
              "step-down panel, set up in the autumn of 2025 through the partnership's early help subgroup, now "
              "considers children whose cases are closing to social care so that families keep the support they "
              "need."),
    ]),
    (1, "Front door and MASH", [
        ("p", "The multi-agency safeguarding hub (MASH) receives around 1,100 contacts a month. Police, health, "
              "education and early help are co-located in the MASH, and 89% of contacts receive a decision "
              "within 24 hours. Routine police checks are now completed within 48 hours, down from up to five "
              "days two years ago. The threshold document was rewritten with partners in 2025 and is well "
              "understood across the partnership. Schools now have a named contact at the front door, which "
              "designated safeguarding leads asked for."),
    ]),
    (1, "Frontline practice and supervision", [
        ("p", "Our relational practice framework was launched in the autumn of 2025, and every team manager has "
              "been trained in it."),
    ]),
    (2, "Supervision and case recording", [
        ("p", SEF_SUPERVISION_CLAIM + " " + SEF_RECORDING_CLAIM + " Monthly group supervision, based on the "
              "practice framework, adds further space for reflection."),
    ]),
    (2, "Assessment and planning", [
        ("p", "Assessments are completed within 45 working days in 88% of cases, above the England average. Our "
              "audit programme shows that management oversight is evident on the file in almost all cases."),
    ]),
    (2, "Children in care", [
        ("p", "The children in care council is excellent. Young people interview every senior manager we "
              "appoint, and they have reshaped the leaving care offer, including a doubled leaving care grant. "
              "The proportion of care leavers in education, "
              "employment or training has risen for three years running and is now above the England "
              "average."),
    ]),
    (1, "Workforce", [
        ("p", "We have converted eighteen agency social workers to permanent posts since the summer of 2025, "
              "through our recruitment and retention package and a market supplement for the assessment teams. "
              "Our social work academy supports twenty-two newly qualified social workers in their assessed "
              "first year, and last year's cohort was retained at ninety per cent. Caseloads in the "
              "looked-after teams average about 18, and these teams have a stable, permanent workforce. Every "
              "social worker has access to the partnership's multi-agency training, which offered just under two "
              "thousand places last year."),
    ]),
    (1, "Partnership working", [
        ("p", "Relationships between agencies at a strategic level are strong. " + SEF_STRATEGY_CLAIM + " The "
              "safeguarding children partnership has an independent chair who challenges every agency and "
              "records each challenge in a challenge log. GP reports to initial child protection conferences "
              "have risen from about 30% to 71% as a result of that challenge. Quarterly multi-agency audits, "
              "most recently on neglect, have changed how we write chronologies. Police notify schools "
              "of domestic abuse incidents before nine the next morning, so that staff can support the child "
              "that day."),
    ]),
    (1, "Quality assurance and performance", [
        ("p", "Every manager from team manager to Director audits two cases a month against a single audit "
              "tool, which gives about sixty audits a month. The Principal Social Worker and the QA "
              "Manager moderate a sample, and a themed audit is completed each quarter. "
              "The share of audits graded inadequate has fallen "
              "from 40% to 28%. Weekly performance reports go to every team manager. We are good at counting, "
              "and we are now developing how we use our data to ask why the numbers are what they are."),
    ]),
    (1, "Areas for development", [
        ("p", "We are clear about what we still need to improve."),
        ("bullets", [
            SEF_WEAKNESS_WORKFORCE,
            SEF_WEAKNESS_CASELOADS,
            SEF_WEAKNESS_COST,
            SEF_WEAKNESS_FEEDBACK,
            SEF_WEAKNESS_VOICE,
        ]),
        ("p", "Our priorities for the next year are set out below."),
        ("table", ["Priority", "Owner", "By when"], [
            ["Reduce agency social workers to below 20% of the workforce",
             "Assistant Director, Children's Social Care", "March 2027"],
            ["Average caseload of 18 or fewer in the assessment teams",
             "Head of Service, Front Door and Assessment", "September 2026"],
            ["Feedback to referrers within three working days in 90% of cases",
             "MASH Team Manager", "June 2026"],
            ["60% of children attend or contribute to their child protection conference",
             "Principal Social Worker", "December 2026"],
            ["Joint performance and finance dashboard",
             "Director of Children's Services and Director of Finance", "April 2026"],
        ]),
        ("p", "We welcome the peer review team's challenge on all of these areas, and on any that we have not "
              "yet seen for ourselves."),
    ]),
]


def write_sef(path: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    props = doc.core_properties
    props.title = SEF_TITLE
    props.author = "LA3 children's services"
    props.last_modified_by = "LA3 children's services"
    props.created = dt.datetime(2026, 1, 30, 9, 0, 0)
    props.modified = dt.datetime(2026, 1, 30, 9, 0, 0)
    props.revision = 1
    props.comments = ""

    doc.add_paragraph(SEF_TITLE, style="Title")
    for text in SEF_INTRO:
        doc.add_paragraph(text)
    for level, heading, blocks in SEF_SECTIONS:
        doc.add_heading(heading, level=level)
        for block in blocks:
            kind = block[0]
            if kind == "p":
                doc.add_paragraph(block[1])
            elif kind == "bullets":
                for item in block[1]:
                    doc.add_paragraph(item, style="List Bullet")
            elif kind == "table":
                header, rows = block[1], block[2]
                table = doc.add_table(rows=1, cols=len(header))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, header, strict=False):
                    cell.text = ""
                    run = cell.paragraphs[0].add_run(text)
                    run.bold = True
                for row in rows:
                    cells = table.add_row().cells
                    for cell, text in zip(cells, row, strict=False):
                        cell.text = text
                for row in table.rows:
                    for cell in row.cells:
                        for par in cell.paragraphs:
                            for run in par.runs:
                                run.font.size = Pt(10)
    doc.save(str(path))


# ---------------------------------------------------------------------------------------------------------------
# 2. Board minutes (pdf)
# ---------------------------------------------------------------------------------------------------------------
# Blocks: ("h", text) section heading; ("p", text) paragraph; ("item", label, text) labelled paragraph;
# ("list", [texts]) a list of lines.

MINUTES_TITLE = "LA3 Safeguarding Children Partnership"
MINUTES_SUBTITLE = "Board meeting: minutes"
MINUTES_META = [
    "Date: Thursday 12 February 2026, 14:00 to 16:30",
    "Venue: Committee Room 1, council offices",
    "Status: draft, subject to approval at the meeting on 14 May 2026",
]

# The dashboard figure that looks fine (F1): police participation recorded above 90%.
MIN_DASHBOARD_POLICE = (
    "Police participation in strategy discussions was 92% in the quarter, above the regional benchmark, and has "
    "been above 90% in each of the last four quarters."
)
MIN_DASHBOARD_QUERY = (
    "The Named GP asked how participation in strategy discussions is defined, and whether the dashboard could "
    "show a comparable figure for health, since the Named GP could not recall GPs being invited to take part."
)
# Stated concerns / weaknesses in the minutes.
MIN_CONCERN_WORKFORCE = (
    "The Chair recorded the board's concern that the churn of social workers is the greatest single risk to the "
    "partnership's work with families."
)
MIN_CONCERN_FEEDBACK = (
    "The Director of Children's Services acknowledged that feedback to referrers remains an area for improvement "
    "and that it is on the MASH improvement plan."
)
MIN_CONCERN_ANNUAL_REPORT = (
    "The board recognised that late reporting, and a report that describes activity rather than impact, make it "
    "hard for partners, elected members and the public to see what the board has changed."
)

MINUTES = [
    ("h", "Present"),
    ("list", [
        "Independent Chair (chair)",
        "Director of Children's Services (local authority, safeguarding partner)",
        "Assistant Director, Children's Social Care",
        "Designated Nurse for Safeguarding Children (integrated care board, safeguarding partner)",
        "Named GP for Safeguarding Children",
        "Detective Superintendent, Public Protection (police, safeguarding partner)",
        "Detective Inspector, Public Protection Unit",
        "Education Safeguarding Lead (for schools)",
        "Headteacher representative (secondary schools)",
        "Charity Chief Executive (voluntary sector representative)",
        "Consultant in Public Health (deputy for the Director of Public Health)",
        "Lead Member for Children's Services (participant observer)",
    ]),
    ("h", "In attendance"),
    ("list", [
        "Board Business Manager (minutes)",
        "QA Manager, Children's Social Care (item 4)",
        "Early Help Coordinator (item 3)",
    ]),
    ("h", "1. Welcome and apologies"),
    ("p", "The Chair welcomed members and noted that the meeting was quorate, with all three safeguarding "
          "partners represented at senior level. Apologies were received from the Director of Public Health, who "
          "was represented by a named deputy, from the Head of Service for Probation and from the CAMHS Clinical "
          "Lead."),
    ("p", "Attendance at the last four meetings has been 85% or better, and the attendance record is published "
          "with the papers for each meeting (paper 1a). The Chair reminded members that the safeguarding children "
          "peer review will be on site from 9 to 12 March 2026, and asked partners to make their staff available "
          "to the review team."),
    ("h", "2. Minutes and actions"),
    ("p", "The minutes of the meeting held on 13 November 2025 were agreed as an accurate record. The action log "
          "was reviewed as follows."),
    ("item", "Action 25/31 (police checks in the MASH).",
     "The Detective Superintendent reported that routine police checks in the MASH are now completed within 48 "
     "hours, and urgent checks on the same day, against up to five days two years ago. The Chair thanked police "
     "for a sustained improvement and closed the item on the challenge log. Closed."),
    ("item", "Action 25/33 (GP reports to initial child protection conferences).",
     "The Named GP reported that 71% of initial conferences in the last quarter received a GP report, up from "
     "about 30% two years ago. The Chair thanked the Named GP and the practices for the work. Closed."),
    ("item", "Action 25/35 (health navigator in the MASH).",
     "The Designated Nurse reported that the bid to fund the MASH health navigator for five days a week rather "
     "than three has been deferred to the next financial year by health commissioners. The Chair expressed "
     "disappointment and asked for the bid to come back to the May meeting. Carried forward."),
    ("p", "The Board Business Manager reported that the challenge log holds fourteen formal challenges raised in "
          "the last twelve months, of which eleven now have a response and a completion date."),
    ("h", "3. Multi-agency audit: neglect"),
    ("p", "The Board Business Manager presented the report of the quarterly themed multi-agency audit on neglect "
          "(paper 3). Eight cases were audited, each agency audited its own involvement, and the partners met "
          "for a joint audit day in December 2025."),
    ("p", "The audit found good practice in the early identification of neglect by schools and in the "
          "persistence of health visitors with families who missed appointments. It found that chronologies were "
          "often incomplete, and that the cumulative impact of neglect was not always recognised when a case was "
          "stepped down from social care to early help."),
    ("p", "Three actions are already in place. Social care has changed its chronology template, health visitors "
          "now use the graded care tool at every universal contact where there are concerns, and neglect "
          "training has been delivered to 120 designated safeguarding leads. The Early Help Coordinator reported "
          "that the step-down panel now considers the neglect history of every child stepped down to early help."),
    ("p", "Members welcomed the report. The Chair asked how the board will know in three months whether practice "
          "has changed. The Board Business Manager acknowledged that the partnership is better at counting "
          "activity than at measuring the impact of its training and audits."),
    ("item", "Action 26/01.",
     "Re-audit a sample of neglect cases in June 2026 to test the impact of the three actions. Owner: chair of "
     "the QA subgroup. By: July 2026."),
    ("p", "The next themed audit, due in the spring, will look at children with disabilities."),
    ("h", "4. Dashboard"),
    ("p", "The Assistant Director presented the partnership dashboard for quarter 3 of 2025-26, October to "
          "December 2025 (paper 4), with the QA Manager in attendance. Contacts to the MASH averaged about 1,100 "
          "a month, and 89% received a decision within 24 hours."),
    ("p", MIN_DASHBOARD_POLICE + " " + MIN_DASHBOARD_QUERY + " The Assistant Director explained that the figure "
          "is taken from the agencies consulted field on the social care case record, and undertook to confirm "
          "the definition with the QA Manager."),
    ("item", "Action 26/02.",
     "Confirm the definition of police participation in strategy discussions, and report on whether a figure "
     "for health participation can be added to the dashboard. Owner: Assistant Director, Children's Social "
     "Care. By: May 2026 meeting."),
    ("p", "Re-referrals to children's social care within 12 months were 24%, above the partnership's target of "
          "20%, and the Chair noted that this remains on the challenge log for social care. The Assistant "
          "Director expected the step-down panel to bring the figure down during 2026."),
    ("p", "The Education Safeguarding Lead reported that the schools survey last term found that only about half "
          "of designated safeguarding leads hear the outcome of their referrals within the three working days set "
          "in the threshold document. " + MIN_CONCERN_FEEDBACK),
    ("p", "Members raised concern about the social care workforce. The Director of Children's Services reported "
          "that 31% of social workers are agency staff, rising to about 40% in the assessment teams, and that "
          "caseloads in the assessment teams average about 26. Partners from police, health and schools each "
          "described the effect of frequent changes of social worker on their work with families. "
          + MIN_CONCERN_WORKFORCE),
    ("item", "Action 26/03.",
     "Report to the board on the social care workforce and the recruitment and retention plan. Owner: Director "
     "of Children's Services. By: May 2026 meeting."),
    ("h", "5. Annual report"),
    ("p", "The Board Business Manager reported that the annual report for 2024-25, which should have been "
          "published by the end of September 2025, is late and still in draft. The delay was caused by the "
          "business unit's capacity during the autumn and by waiting for partner agencies' contributions."),
    ("p", "The Chair reminded members that the council's scrutiny committee had described last year's report as "
          "a list of meetings, with much on activity and little on impact, and said that the criticism was fair. "
          + MIN_CONCERN_ANNUAL_REPORT),
    ("p", "Members agreed that the 2024-25 report should be restructured around what has changed for children and "
          "families, using the challenge log, the multi-agency audits and the learning reviews as evidence, and "
          "that the young people's advisory group should be asked to contribute a section."),
    ("item", "Action 26/04.",
     "Circulate the revised draft annual report to members by 13 March 2026 and publish it by 31 March 2026. "
     "Owner: Board Business Manager."),
    ("h", "6. Any other business"),
    ("item", "6.1 Peer review.",
     "The Director of Children's Services confirmed the timetable for the peer review week, which includes "
     "interviews with the Chair, partner agencies and the voluntary sector. The council's self-evaluation was "
     "submitted on 30 January 2026 and has been shared with the Chair."),
    ("item", "6.2 Young people's advisory group.",
     "The group will present to the May meeting on their experience of child protection conferences."),
    ("item", "6.3 Learning reviews.",
     "The Chair reported that all actions from the local child safeguarding practice review published in 2025 "
     "are complete, and that the revised CAMHS transition policy is in use."),
    ("p", "The Chair thanked members for their contributions and closed the meeting at 16:25."),
    ("h", "Date of next meeting"),
    ("p", "Thursday 14 May 2026, 14:00, Committee Room 1."),
]


def write_minutes(path: Path) -> int:
    from fpdf import FPDF

    class Minutes(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 9)
            self.cell(0, 8, f"Page {self.page_no()} of {{nb}}", align="C")

        def header(self) -> None:
            if self.page_no() > 1:
                self.set_font("Helvetica", "I", 8)
                self.cell(0, 6, "LA3 Safeguarding Children Partnership - board minutes, 12 February 2026 - draft",
                          align="R")
                self.ln(8)

    pdf = Minutes(format="A4", unit="mm")
    pdf.set_title("LA3 Safeguarding Children Partnership: board minutes, 12 February 2026")
    pdf.set_author("LA3 Safeguarding Children Partnership")
    pdf.set_creation_date(dt.datetime(2026, 2, 16, 10, 0, 0, tzinfo=dt.UTC))
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.alias_nb_pages()
    pdf.add_page()

    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", "B", 17)
    pdf.multi_cell(width, 8, MINUTES_TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(width, 7, MINUTES_SUBTITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10.5)
    for line in MINUTES_META:
        pdf.multi_cell(width, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    for block in MINUTES:
        kind = block[0]
        # keep a heading or an item's label with the lines that follow it
        if kind in ("h", "item") and pdf.get_y() > pdf.page_break_trigger - 22:
            pdf.add_page()
        if kind == "h":
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", 13)
            pdf.multi_cell(width, 7, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif kind == "p":
            pdf.set_font("Helvetica", "", 10.5)
            pdf.multi_cell(width, 5.4, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "item":
            pdf.set_font("Helvetica", "B", 10.5)
            pdf.multi_cell(width, 5.4, block[1], new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 10.5)
            pdf.multi_cell(width, 5.4, block[2], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "list":
            pdf.set_font("Helvetica", "", 10.5)
            for line in block[1]:
                pdf.multi_cell(width, 5.4, "- " + line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    pdf.output(str(path))
    return pdf.page_no()


# ---------------------------------------------------------------------------------------------------------------
# 3. Performance data (xlsx)
# ---------------------------------------------------------------------------------------------------------------
HEADER = ["indicator", "period", "value", "unit", "better", "statistical neighbours", "england"]
PERIODS = ["2022-23", "2023-24", "2024-25"]
Q3 = "2025-26 Q3"

# indicator -> (unit, better, {period: (value, statistical neighbours, england)})
# 2025-26 Q3 rows carry the latest published comparators (2024-25).
INDICATORS: list[tuple[str, str, str, dict[str, tuple[float, float, float]]]] = [
    ("Re-referrals within 12 months", "%", "lower", {
        "2022-23": (25.1, 22.8, 21.5), "2023-24": (23.4, 22.5, 22.4), "2024-25": (23.0, 22.1, 22.4),
        Q3: (24.0, 22.1, 22.4)}),
    ("Assessments completed within 45 working days", "%", "higher", {
        "2022-23": (81.0, 84.0, 84.5), "2023-24": (86.0, 85.0, 82.0), "2024-25": (88.0, 86.0, 82.0),
        Q3: (89.0, 86.0, 82.0)}),
    ("Initial child protection conferences within 15 working days", "%", "higher", {
        "2022-23": (80.0, 78.0, 78.0), "2023-24": (83.0, 79.0, 78.0), "2024-25": (85.0, 80.0, 78.0)}),
    ("Child protection plans per 10,000 children", "per 10,000", "lower", {
        "2022-23": (52.0, 45.5, 42.1), "2023-24": (46.3, 44.0, 41.6), "2024-25": (43.8, 43.2, 41.0)}),
    ("Second or subsequent child protection plans", "%", "lower", {
        "2022-23": (23.5, 23.0, 23.3), "2023-24": (22.8, 23.4, 23.8), "2024-25": (22.1, 23.1, 23.6)}),
    ("Strategy discussions with police participation", "%", "higher", {
        "2022-23": (89.0, 86.0, 85.0), "2023-24": (91.0, 87.0, 86.0), "2024-25": (93.0, 88.0, 87.0),
        Q3: (92.0, 88.0, 87.0)}),
    ("Early help assessments per 10,000 children", "per 10,000", "higher", {
        "2022-23": (118.0, 112.0, 105.0), "2023-24": (124.0, 116.0, 110.0), "2024-25": (127.0, 120.0, 116.0)}),
    ("Children looked after per 10,000 children", "per 10,000", "lower", {
        "2022-23": (77.0, 80.0, 70.0), "2023-24": (76.0, 80.0, 71.0), "2024-25": (75.0, 79.0, 70.0)}),
    ("Care leavers aged 19 to 21 in education, employment or training", "%", "higher", {
        "2022-23": (52.0, 53.0, 55.0), "2023-24": (55.0, 54.0, 56.0), "2024-25": (57.0, 55.0, 56.0)}),
    ("Average days from entering care to moving in with an adoptive family", "days", "lower", {
        "2022-23": (470.0, 468.0, 475.0), "2023-24": (455.0, 462.0, 468.0), "2024-25": (448.0, 458.0, 461.0)}),
    # --- workforce: the planted outliers (loe.capacity_resources, H4) ---
    ("Agency social workers", "%", "lower", {
        "2022-23": (21.0, 16.5, 17.6), "2023-24": (26.0, 16.2, 17.9), "2024-25": (29.0, 15.4, 15.5),
        Q3: (31.0, 15.4, 15.5)}),
    ("Social worker turnover", "%", "lower", {
        "2022-23": (18.5, 17.0, 17.1), "2023-24": (20.5, 16.4, 16.1), "2024-25": (22.0, 15.8, 15.9)}),
    ("Average caseload per social worker", "cases", "lower", {
        "2022-23": (19.5, 16.9, 16.6), "2023-24": (21.0, 16.7, 16.3), "2024-25": (22.0, 16.5, 16.4),
        Q3: (22.0, 16.5, 16.4)}),
    ("Social worker vacancy rate", "%", "lower", {
        "2022-23": (23.0, 21.0, 20.0), "2023-24": (22.5, 21.5, 20.7), "2024-25": (22.0, 21.0, 20.4)}),
]

PLANTED_OUTLIERS = {"Agency social workers", "Social worker turnover", "Average caseload per social worker"}
LOOKS_FINE = "Strategy discussions with police participation"


def gap(value: float, comparator: float, better: str) -> float:
    """How much worse than the comparator, relative to it (negative = better)."""
    return (value - comparator) / comparator if better == "lower" else (comparator - value) / comparator


def latest(periods: dict) -> str:
    return Q3 if Q3 in periods else PERIODS[-1]


def check_indicators() -> None:
    """Outliers are 25%+ worse than both comparators in the latest period; every other indicator is within 10%."""
    for name, _unit, better, periods in INDICATORS:
        value, sn, eng = periods[latest(periods)]
        gaps = (gap(value, sn, better), gap(value, eng, better))
        if name in PLANTED_OUTLIERS:
            assert min(gaps) >= 0.25, (name, gaps)
        else:
            assert all(abs(g) <= 0.10 for g in gaps), (name, gaps)


def write_performance(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    check_indicators()
    wb = Workbook()
    ws = wb.active
    ws.title = "indicators"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for name, unit, better, periods in INDICATORS:
        for period in [*PERIODS, Q3]:
            if period in periods:
                value, sn, eng = periods[period]
                ws.append([name, period, value, unit, better, sn, eng])
    widths = {"A": 62, "B": 12, "C": 9, "D": 11, "E": 8, "F": 22, "G": 9}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.properties.creator = "LA3 children's services"
    wb.properties.title = "LA3 children's services performance data with comparators"
    wb.properties.created = dt.datetime(2026, 1, 30, 9, 0, 0)
    wb.properties.modified = dt.datetime(2026, 1, 30, 9, 0, 0)
    wb.save(str(path))


# ---------------------------------------------------------------------------------------------------------------
# 4. Manifest
# ---------------------------------------------------------------------------------------------------------------
MANIFEST_HEADER = ["file", "id", "site", "site_type", "role", "agency", "source_type", "date", "interviewer",
                   "speaker"]
MANIFEST_ROWS = [
    ["self-evaluation.docx", "rw-pre-01", "LA3", "city", "self-evaluation", "children's social care", "document",
     "2026-01-30", "", ""],
    ["board-minutes.pdf", "rw-pre-02", "LA3", "city", "board minutes", "safeguarding board", "document",
     "2026-02-12", "", ""],
]


def write_manifest(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)  # CRLF line endings, like the day folders' manifests
        writer.writerow(MANIFEST_HEADER)
        writer.writerows(MANIFEST_ROWS)


def main(argv: list[str]) -> None:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    write_sef(out / "self-evaluation.docx")
    pages = write_minutes(out / "board-minutes.pdf")
    write_performance(out / "performance.xlsx")
    write_manifest(out / "manifest.csv")
    for name in ["self-evaluation.docx", "board-minutes.pdf", "performance.xlsx", "manifest.csv"]:
        size = (out / name).stat().st_size
        assert size < 60_000, (name, size)
        print(f"{name}: {size} bytes")
    print(f"board-minutes.pdf: {pages} pages")


if __name__ == "__main__":
    main(sys.argv)
