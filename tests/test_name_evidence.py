"""Names decided from evidence, on the real spaCy model and the real word lists: speech keeps its words, and
people in lower-case auto-transcripts are still found."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.anonymise.detector import Detector
from qualcode.anonymise.gate import Anonymiser
from qualcode.anonymise.pseudonyms import Pseudonyms


def _redacted(detector: Detector, *texts: str, labels: tuple[str, ...] = ()) -> list[str]:
    return [text[f.start:f.end] for text, found in zip(texts, detector.detect(list(texts), labels), strict=True)
            for f in found]


def test_spoken_register_keeps_its_words(detector: Detector) -> None:
    turns = [
        "Okay. Right. Yes, so, uh, Model drift was the thing, right? Use the test set, I. Yeah.",
        "Mm-hmm. What we did, um, Test first. Some of it was ML, some API work, the DevOps side.",
        "So three teams, one in four cases, and about twenty-seven open. Yeah. Like, honestly, Perfect.",
        "Alors c'est de bonnes pratiques pour la qualité des données, vous voyez, les modèles en production.",
        "The MASH rang on Monday about the Section 47, and the IRO and the CAMHS lead came in March.",
    ]
    assert _redacted(detector, *turns) == []


@pytest.mark.parametrize(("text", "names"), [
    ("yeah so her brother tolu goes to beckfield primary with the popescus", ["tolu", "beckfield primary",
                                                                            "popescus"]),
    ("um and sinead o'rourke rang me from up at parson cross on the monday", ["sinead o'rourke", "parson cross"]),
    ("so mrs begum said mehmood's dad works nights at the asda", ["begum", "mehmood", "asda"]),
    ("and then, um, kayleigh hargreaves from the family hub gave her a lift", ["kayleigh hargreaves"]),
    ("they took him to the jamia masjid and then to northfield infirmary", ["jamia masjid", "northfield infirmary"]),
    # organisations by their head noun, and hospitals named without one where someone was treated there
    ("mum does nights at brackwell foods and he drives for tarnmoor cars", ["brackwell foods", "tarnmoor cars"]),
    ("he trains with ashcombe abc on a thursday", ["ashcombe abc"]),
    ("she had three attendances at greystones with burns", ["greystones"]),
    ("the baby was born at the general and then admitted to the QMH", ["general", "QMH"]),
    # a name said twice over, and a surname known by its shape
    ("the family worker eilidh eilidh mcgonigle she's new", ["eilidh eilidh mcgonigle"]),
    ("the support worker rhoswen rhoswen pritchard-oduya rang", ["rhoswen rhoswen"]),
    # a name that is also a word, with the person's age said straight after it
    ("and the youngest, a little boy forest he's four, was at home", ["forest"]),
    # a listed name that is also a word, typed in lower case where the tagger reads it as a proper noun
    ("and our director at the time jane jane goodly she was new", ["jane jane goodly"]),
    ("so the head of service back then martin martin lovely he was new", ["martin martin"]),
    # a town that is also a word, said where a place goes, and a county the tagger calls a verb
    ("he was in a bail hostel in stoke then back to ely", ["stoke"]),
    ("but the grandparents' house is lincolnshire not us", ["lincolnshire"]),
    # a name of another language the NER reads as a name, not as a quoted passage, then a filler
    ("yeah so i'm jadwiga wisniewska er i run the front door", ["jadwiga wisniewska"]),
    # a first name and a surname side by side; a surname that is also a word, after a name
    ("the named nurse aled prothero sees them all", ["aled prothero"]),
    ("and the chair kuldeep gill was brilliant", ["kuldeep gill"]),
    # a family by its plural name before a relative
    ("it's the lazarescus mum's ana dad's vasile", ["lazarescus"]),
    # forces and councils named by their area, not "the police" or "the city council"
    ("we rang south yorkshire police and then the city council and local police", ["south yorkshire police"]),
    ("she's got a job at wrexham council now", ["wrexham council"]),
    # an initial after a name; a school named after "his school", or "college of" a place
    ("the lad's called kenzie er kenzie d i'll not say the rest", ["kenzie d"]),
    ("it wanted his school thorn lea college and his gp", ["thorn lea college"]),
    ("she got a place at the college of north tyneside in the end", ["college of north tyneside"]),
    # prisons and mosques named after their head; workplaces by their head
    ("he's in hmp brinsford now and mum goes to masjid al-noor", ["hmp brinsford", "masjid al-noor"]),
    ("dad does nights at tenbury logistics", ["tenbury logistics"]),
    # a hospital's local name where someone was treated for an injury; a name written with a hyphen
    ("he was stabbed and treated at the grange and then moved", ["grange"]),
    ("a girl mei-xin her dad runs a takeaway", ["mei-xin"]),
    # towns of several words, however typed
    ("they moved from kings lynn to stoke on trent and then st. helens", ["kings lynn", "stoke on trent",
                                                                         "st. helens"]),
])
def test_people_and_places_in_lower_case_auto_transcripts_are_found(detector: Detector, text: str,
                                                                    names: list[str]) -> None:
    redacted = " | ".join(_redacted(detector, text))
    for name in names:
        assert name in redacted, (name, redacted)


def test_a_name_that_is_also_a_word_is_a_name_only_where_the_evidence_says_so(detector: Detector) -> None:
    found = _redacted(detector, "I told Mrs Grace about the plan and Will Okafor agreed, but the grace period "
                                "will end and we hope it holds.")
    assert "Grace" in found and any("Will" in f for f in found)
    assert not any(word in " ".join(found) for word in ("grace period", "will end", "hope"))


def test_a_speaker_label_that_is_a_name_makes_that_word_a_name_everywhere(detector: Detector) -> None:
    assert _redacted(detector, "we asked rowan about the visit", labels=("rowan",)) == ["rowan"]
    assert _redacted(detector, "we asked rowan about the visit") == []


def test_an_own_pseudonym_is_left_as_its_author_wrote_it(detector: Detector) -> None:
    assert _redacted(detector, "I worked at Company 1 and then studied at School 2 in City X.") == []


def test_only_confirmed_names_are_swept_into_later_texts(detector: Detector) -> None:
    pseudonyms = Pseudonyms(b"secret")
    gate = Anonymiser(detector, pseudonyms)
    gate.find(["Her social worker, Amira Haddad, rang Tyler's mum."])  # confirmed: named twice over
    weak = [a.original for a in pseudonyms.assigned if not a.confirmed]
    later = gate.find([f"Amira was there. {' '.join(weak)} was not." if weak else "Amira was there."])[0]
    text = f"Amira was there. {' '.join(weak)} was not." if weak else "Amira was there."
    assert text[later[0].start:later[0].end] == "Amira"
    assert all(text[f.start:f.end] not in weak for f in later)


def test_a_weak_guess_is_never_spread_but_a_confirmed_one_is(detector: Detector) -> None:
    pseudonyms = Pseudonyms(b"secret")
    pseudonyms.placeholder_for("PERSON", "Kendro", confirmed=False)
    pseudonyms.placeholder_for("PERSON", "Tolulope Adebayo", confirmed=True)
    gate = Anonymiser(detector, pseudonyms)
    text = "The team met on Monday. The kendro pipeline broke. Then adebayo fixed the kendro job."
    found = [text[f.start:f.end] for f in gate.find([text])[0]]
    assert "adebayo" in found and "kendro" not in found


def test_a_ward_or_department_is_not_a_hospital_name(detector: Detector) -> None:
    assert _redacted(detector, "He was admitted to ICU, then to the ward, and seen at school on Monday.") == []


def test_letters_and_digits_of_a_system_reference_are_found_together(detector: Detector) -> None:
    assert "KW 4418207" in _redacted(detector, "It is KW 4418207 on their system and a different number on ours.")


@pytest.mark.slow
def test_the_word_lists_read_from_the_cache_are_the_ones_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    from qualcode.anonymise import lexicon as words

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    words.lexicon.cache_clear()
    try:
        built = words.lexicon()  # built, and written to the cache
        cached = list((tmp_path / "qualcode").glob("lexicon-*.json"))
        assert len(cached) == 1
        words.lexicon.cache_clear()
        assert words.lexicon() == built and len(built.first_names) > 1000
        cached[0].write_text("{not json", encoding="utf-8")  # a damaged cache is built again, never trusted
        words.lexicon.cache_clear()
        assert words.lexicon() == built
    finally:
        words.lexicon.cache_clear()


def test_a_written_document_keeps_its_terms_and_names_its_people_only_with_capitals(detector: Detector) -> None:
    """Seen on a real published manual (Debian's Developer's Reference): a project's name and the fields of its
    forms, capitalised as terms, and every lower-case use of the name in paths and addresses became people."""
    texts = ["Debian supports an ever-increasing number of architectures.",
             "Put the team's members in the Uploaders field and the list address in the Maintainer field.",
             "Interacting with prospective Debian developers is described in Specifying the package section.",
             "Edit debian/rules and write to the list at lists.debian.org before you upload.",
             "Ask Marta Kowalczyk, who maintains the package, before changing it."]
    gate = Anonymiser(detector, Pseudonyms(b"document"))
    found = [text[f.start:f.end] for text, fs in zip(texts, gate.find(texts), strict=True) for f in fs]
    assert not {"Uploaders", "Maintainer", "Interacting", "Specifying"} & set(found), found
    assert not [f for f in found if f.islower()], found  # "debian" in a path or an address is no one
    assert "Marta Kowalczyk" in found


def test_a_transcript_in_lower_case_is_still_swept_for_a_name_found_once(detector: Detector) -> None:
    texts = ["interviewer: so who rang you", "interviewee: mrs okonkwo rang me on the monday",
             "interviewee: and okonkwo said the school knew"]
    gate = Anonymiser(detector, Pseudonyms(b"sweep"))
    found = [text[f.start:f.end] for text, fs in zip(texts, gate.find(texts), strict=True) for f in fs]
    assert found.count("okonkwo") == 2, found


def test_hospital_initials_are_found_where_the_sentence_is_about_health(detector: Detector) -> None:
    health, other = detector.detect(["She was the named nurse at the QE, and he was admitted to the L&D with burns.",
                                     "We took it to the MDT and the SCR went to the LSCP. We met at the RVI pub."], [])
    assert [f.kind for f in health] == ["ORG", "ORG"]
    assert other == []


def test_words_for_people_ratings_quotations_languages_and_roles_are_not_names(detector: Detector) -> None:
    turns = ["and there's a syrian lad he's fifteen and a big scottish fella who drives",
             "we rag everything red amber green and honestly amber is where it gets messy",
             "she kept saying ami kita korbo every time and she speaks sylheti and mirpuri",
             "Evaluator: Thanks for agreeing to this. Evaluator is fine as a label.",
             "she was seen at home with a cut and then at school after a fight",
             "mum kept saying malai thaha chaina which means i don't know, in nepali",
             "the school nurse read me the number"]
    assert _redacted(detector, *turns) == ["fifteen"]


def test_somebody_known_by_initials_is_found(detector: Detector) -> None:
    text = "A boy, I'll call him R, and dad recorded only as Mr T. Case 2: KB (9), seen twice. The LA (3) agreed."
    people = [text[f.start:f.end] for f in detector.detect([text], [])[0] if f.kind == "PERSON"]
    assert people == ["R", "T", "KB"]


def test_ages_said_together_or_after_a_name_are_found(detector: Detector) -> None:
    text = ("the twins, Ola and Femi, who are seven and four. Kacper, now twelve, was moved. "
            "Children: Ada 9, Tunde 6; we had a girl of thirteen placed out of area. A baby, five weeks, was seen.")
    ages = [text[f.start:f.end] for f in detector.detect([text], [])[0] if f.kind == "AGE"]
    assert ages == ["seven and four", "twelve", "9", "6", "thirteen", "five weeks"]


def test_a_persons_age_is_found_but_not_the_age_of_a_record(detector: Detector) -> None:
    text = "the baby, six weeks old, was seen at home, and she has a two year old"
    people, things = detector.detect([text, "the worker says one thing but the record says something six weeks "
                                            "old, so we were working from notes two months old"], [])
    assert [text[f.start:f.end] for f in people if f.kind == "AGE"] == ["six weeks old", "two year old"]
    assert [f for f in things if f.kind == "AGE"] == []
