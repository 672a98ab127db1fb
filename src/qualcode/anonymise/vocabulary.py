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
ICU PICU NICU HDU ITU SCBU
EHM Eclipse SystmOne EMIS Rio ContrOCC WhatsApp Snapchat Snap TikTok Instagram Insta Facebook Messenger YouTube
Discord Xbox PlayStation Twitter Google Microsoft Outlook Word PowerPoint SharePoint OneDrive Roma Romani Gypsy
Traveller Travellers LADO IRO IROs LSCP ICB EHCP SENCO PEP PEPs CSC CP CIN LAC CLA UASC NRM Eid Diwali Ramadan
Hanukkah Vaisakhi Passover Christmas Easter ANPR ESOL PCSO PRU Mispers MISPER HMO HMOs UASC FGM FGC SGO SGOs DoLS
CAMHS EHCNA SALT OT ADHD ASD PTSD DV IDVA ISVA MARAC SARC GP's CAWN CAWNs Northgate gurdwara mosque masjid mandir
synagogue madrassa madrasa
DOB D.O.B. DCI ABE VCS Requires Improvement Outstanding Inadequate Focus group
Signs of Safety Graded Care Profile Working Together Keeping Children Safe in Education KCSIE
EHE ILACS JTAI SEF ASYE CSPR CSPRs LCSPR RHI DHR DHRs SAB SAR SARs MHST MHSTs
Childline ChildLine Kooth Samaritans Papyrus YoungMinds NCA CEOP Ofcom CQC DBS Kidscape Childnet IWF Coram UKVI
Catch22 Frontline Barnardo PCT PCTs CDOP MDT MDTs ICS NICE RCPCH SUDI SUDIC ACE ACEs CPIS CP-IS PPE SUI SI SIs
ICPCs RCPCs CPP CPPs CLA LAC SCR SCRs PRU PRUs RHI RHIs YOT YOTs ChildView AssetPlus Egress Merlin CAIT RAG
Evaluator Evaluators Facilitator Facilitators Moderator Observer Observers Notetaker Note-taker Assessor Auditor
Scribe Participant Participants Respondents Interviewees
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
    "Named Nurse (Acute)", "Health Visiting", "Virtual School", "Virtual School Head", "Clare's Law", "Sarah's Law",
    "Power BI", "Town Hall", "Civic Centre", "Food Bank", "Committee Room", "Family Hub", "Children's Centre",
    "Operation Encompass", "London borough", "London boroughs", "Encompass",
    # national bodies and services: they name nobody's whereabouts
    "Welfare Call", "Young Minds", "National Crime Agency", "British Transport Police", "Border Force",
    "Children's Commissioner", "Children's Commissioner for Wales", "Teaching Regulation Agency",
    "Care Quality Commission", "Youth Justice Board", "Disclosure and Barring Service", "Internet Watch Foundation",
    "Victim Support", "Rape Crisis", "Family Lives", "Adoption UK", "Fostering Network", "Carers Trust",
    "Citizens Advice", "Police Scotland", "Merton compliant", "Merton assessment", "pan London", "pan-London",
    "red amber green", "red, amber, green", "red amber", "amber green", "RAG rated", "RAG rating",
    "care leavers' forum", "care leavers forum",
))

# Words that never identify anyone on their own: a span made only of these (and stop words) is kept.
ROLE_WORDS = frozenset("""
the a an of and for in on at to our their his her my your this that its it's is was
manager managers worker workers lead leads head chair nurse nurses officer officers director assistant
service services team teams social care children children's child family families health school schools
board partnership partners partner police council member members peer peers review reviewer manager's
principal designated named independent scrutiny chief executive business coordinator navigator visiting
visitor practitioner practitioners senior deputy acting interim clinical acute primary secondary
safeguarding protection public unit group panel forum meeting meetings conference conferences
strategy discussion discussions assessment assessments plan plans audit audits data hub front door
early help voluntary sector charity charities agency agencies multi-agency local authority authorities
education finance adult adults youth justice offending virtual court family's notes questionnaire
detective constable sergeant inspector superintendent headteacher governor mentor councillor mp commissioner
lawyer solicitor barrister magistrate judge midwife doctor paediatrician psychologist psychiatrist therapist
counsellor caseworker advocate volunteer parent parents carer carers foster adopter mum dad mother father
grandmother grandparent grandad grandma gran nan nanna nana auntie aunty uncle stepdad stepmum stepfather
stepmother cousin niece nephew boyfriend girlfriend husband wife partner aunt sibling brother sister son daughter
girl boy baby young person people student
students pupil pupils respondent interviewee interviewer participant speaker gp nhs agency-worker newly
qualified experienced locum practice quality assurance performance operational specialist expert
centre centres home homes hub hubs project projects house flats estate housing
""".split())
