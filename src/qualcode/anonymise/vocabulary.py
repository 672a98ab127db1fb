"""Words that look like names to a model but identify nobody: roles, agencies, processes of the field.

Kept apart so a team can read, and extend through `anonymisation.allow` in qualcode.yaml, what is never
redacted.
"""

from __future__ import annotations

DOMAIN_TERMS = frozenset(t.casefold() for t in """
council local authority NI National Insurance LA LA1 LA2 LA3 LA4 LA5 LSCB LSCP safeguarding board
safeguarding partnership MASH
front door CAMHS Ofsted NHS ICB CCG GP GPs DfE DCS AD DSL DSLs IRO IROs PSW NQSW ASYE SW TM CP CIN LAC CLA
PLO EHCP EHC SEND SENCO SENCo ICPC RCPC S47 Section Section 47 Early Help Early Help Assessment CAF TAF
Barnardo's Barnardos NSPCC Action for Children Children's Society Women's Aid Home Office Police Crown
Court Family Court Cafcass CAFCASS ADCS LGA Local Government Association Peer Peers Review Manager
Head of Service Designated Nurse Named Nurse Named GP Designated Doctor Principal Social Worker Team Manager
Lead Member Scrutiny Chair Independent Chair Chief Executive Director Assistant Director Health Visiting
Health Visitor Health Navigator School Nurse Headteacher Head Teacher Social Worker Family Support Worker
Children's Social Care Public Protection PPU Public Protection Unit DI DS DC PC Sergeant Inspector
Interviewer Interviewee Researcher Question Respondent Peer notes Review Manager's notes Ofsted's
Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mondays Tuesdays Wednesdays Thursdays
Fridays Saturdays Sundays QA January February March April May June July August
September October November December Christmas Easter COVID Covid MARAC MAPPA MACE CSE CCE DA IDVA YOS YJS
Youth Offending Youth Justice Adult Social Care Public Health A&E ED Mosaic LCS Liquidlogic Excel Teams Zoom
DOB D.O.B. DCI ABE VCS Requires Improvement Outstanding Inadequate Focus group
Signs of Safety Graded Care Profile Working Together Keeping Children Safe in Education KCSIE
""".split())

# Multi-word role and body names, matched as phrases before single words.
DOMAIN_PHRASES = frozenset(p.casefold() for p in (
    "Head of Service", "Designated Nurse", "Named Nurse", "Named GP", "Designated Doctor",
    "Principal Social Worker", "Team Manager", "Lead Member", "Scrutiny Chair", "Independent Chair",
    "Chief Executive", "Assistant Director", "Director of Children's Services", "Director of Finance",
    "Health Visiting Lead", "Health Navigator", "Family Support Worker", "Social Worker", "Safeguarding Board",
    "Safeguarding Partnership", "Children's Social Care", "Public Protection Unit", "Early Help",
    "Early Help Assessment", "Youth Offending Service", "Youth Justice Service", "Adult Social Care",
    "Public Health", "Action for Children", "Children's Society", "Women's Aid", "Home Office",
    "Family Court", "Local Government Association", "Signs of Safety", "Working Together",
    "Keeping Children Safe in Education", "Graded Care Profile", "Review Manager", "Peer notes",
    "Education Safeguarding Lead", "Education Safeguarding Manager", "Health Safeguarding Lead",
    "Voluntary Sector Manager", "Charity Chief Executive", "Detective Inspector", "Police Sergeant",
    "MASH Team Manager", "Early Help Coordinator", "Board Business Manager", "CAMHS Clinical Lead",
    "Named Nurse (Acute)", "Health Visiting", "Virtual School", "Virtual School Head",
))
