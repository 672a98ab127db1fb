"""Structured identifiers as people say them: each must be found whole, and everyday numbers left alone."""

from __future__ import annotations

import pytest

from qualcode.anonymise.spoken import digits_of, spoken_identifiers


def _found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start:f.end]) for f in spoken_identifiers(text)]


@pytest.mark.parametrize(("spoken", "digits"), [
    ("oh seven seven double oh nine", "077009"),
    ("zero one one four, four nine six", "0114496"),
    ("treble two five", "2225"),
    ("forty six", "46"),
    ("twenty", "20"),
    ("0114 four nine six", "0114496"),
])
def test_spoken_digits_read_as_the_number_they_stand_for(spoken: str, digits: str) -> None:
    assert digits_of(spoken) == digits


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("ring her on oh seven seven double oh nine oh oh four six one anytime", "PHONE",
     "oh seven seven double oh nine oh oh four six one"),
    ("nhs number is four eight five seven seven three four five six one", "NHS_NUMBER",
     "four eight five seven seven three four five six one"),
    ("the number on the letter was 485 777 3456", "NHS_NUMBER", "485 777 3456"),  # fails the check digit
    ("she was born on the second of may twenty twelve and", "DATE_OF_BIRTH", "the second of may twenty twelve"),
    ("d o b is the third of march 2019", "DATE_OF_BIRTH", "the third of march 2019"),
    ("the form says 2024-01-71 which can't be right", "DATE_OF_BIRTH", "2024-01-71"),
    ("email me kerry dot walsh at hotmail dot co dot uk thanks", "EMAIL", "kerry dot walsh at hotmail dot co dot uk"),
    ("they live in the s5 area near the park", "POSTCODE", "s5"),
    ("she moved up to ls9 last year", "POSTCODE", "ls9"),
    ("postcode is s five seven a u", "POSTCODE", "s five seven a u"),
    ("a silver corsa, YX19 KTM, parked outside", "VEHICLE", "YX19 KTM"),
    ("the reg ending k t m was seen twice", "VEHICLE", "k t m"),
    ("crime number one four slash two two nine five", "CASE_REF", "one four slash two two nine five"),
    # plates read aloud: letters apart or together, the age in words, "zed", the NATO alphabet
    ("he wrote the reg down t r five three k p w after", "VEHICLE", "t r five three k p w"),
    ("a silver golf kp twenty two w v n was outside", "VEHICLE", "kp twenty two w v n"),
    ("no sorry it was hx sixty nine bjd that one", "VEHICLE", "hx sixty nine bjd"),
    ("the plate was ld seventy four a r zed i think", "VEHICLE", "ld seventy four a r zed"),
    ("plate Whiskey Kilo Seven Two Romeo Golf Lima was circulated", "VEHICLE",
     "Whiskey Kilo Seven Two Romeo Golf Lima"),
    # e-mails whose local part has an initial, a dot or a spelt surname
    ("email me it's p dot mc keown at northfield care dot org dot uk thanks", "EMAIL",
     "p dot mc keown at northfield care dot org dot uk"),
    ("or write to r.fenwick at dales-health dot nhs dot uk", "EMAIL", "r.fenwick at dales-health dot nhs dot uk"),
    # postcodes: districts in words above twelve, a second district in the same breath, a cue with words between
    ("she lives in dn seventeen three q x with her nan", "POSTCODE", "dn seventeen three q x"),
    ("the families in hu five and hu nine are struggling", "POSTCODE", "hu nine"),
    ("and the postcode i think is ws twelve four something", "POSTCODE", "ws twelve four"),
    # references: letters before spoken digits, a police log, letters and digits apart
    ("it's kd six six two nine one oh five no hang on", "CASE_REF", "kd six six two nine one oh five"),
    ("it was the log 1182 of the fourth that got missed", "CASE_REF", "1182 of the fourth"),
    # a postcode area said letter by letter; a plate known by its age alone, or a partial one; an e-mail's first half
    ("they've moved out to ashington n e sixty three now", "POSTCODE", "n e sixty three"),
    ("mostly d h twelve if i'm honest", "POSTCODE", "d h twelve"),
    ("a grey astra with a sixty eight plate kept turning up", "VEHICLE", "sixty eight"),
    ("partial plate YR4-something, circulated", "VEHICLE", "YR4"),
    ("it's marion dot grealish with two l's", "EMAIL", "marion dot grealish"),
    # references and handles spelt letter by letter; half a plate; a birth year said first; a house said by number
    ("the case is k l slash d m slash oh three one one if you want it", "CASE_REF",
     "k l slash d m slash oh three one one"),
    ("his snap is j a y z underscore k r and he posts drill", "HANDLE", "j a y z underscore k r"),
    ("a red fiesta yf seventy two something outside the flat", "VEHICLE", "yf seventy two"),
    ("she says she was born in twenty twelve on the third of may", "DATE_OF_BIRTH",
     "twenty twelve on the third of may"),
    ("they're at number twenty two hollins street now", "ADDRESS", "number twenty two hollins street"),
    ("the date they had was wrong it should be nineteen ten oh six", "DATE_OF_BIRTH", "nineteen ten oh six"),
    # references of letters and numbers with one or two separators; a log number "like"; an e-mail's words
    ("so it's kx dash five five two dash b on our system", "CASE_REF", "kx dash five five two dash b"),
    ("thames valley took it as t v two six stroke three one eight and", "CASE_REF",
     "t v two six stroke three one eight"),
    ("we get a log number like w m two six oh four four one and", "CASE_REF", "w m two six oh four four one"),
    ("the reg was like b d one nine something", "VEHICLE", "b d one nine"),
    ("a new email j okafor eight eight at gmail dot com that", "EMAIL", "j okafor eight eight at gmail dot com"),
    ("that's d e double l a underscore nine and", "HANDLE", "d e double l a underscore nine"),
    # a postcode area by its letters' names, or after "a bit of"; a date read as numbers, year first
    ("we're at flat two nine moor green why oh twenty four now", "POSTCODE", "why oh twenty four"),
    ("mostly here and a bit of l nine for the north end", "POSTCODE", "l nine"),
    ("on the system it's twenty ten oh three nineteen so he's just turned sixteen", "DATE_OF_BIRTH",
     "twenty ten oh three nineteen"),
])
def test_spoken_identifiers_are_found_whole(text: str, kind: str, value: str) -> None:
    found = _found(text)
    assert any(k == kind and value in v for k, v in found), found


@pytest.mark.parametrize("text", [
    "three social workers and twenty seven cases, one in four",
    "we did a section 47 and two S47 enquiries and an s17 assessment",
    "it's on my plate at the moment",
    "twenty twenty three was the worst year, with one two three agency staff",
    "the budget went from 20,000, 25,000 to 3.5 million",
    "I was on the M1 for an hour",
    "her caseload's twenty two at the minute",
    "we were at twenty one and it went to fifty two now",
    "it's a four bed home and she said a b twenty times",
    "the little red dot okay so we're recording, on the dot",
    "she's got a plate of food and a 19 year old brother",
    "we had three four oh five people in",
    "it was a one to one slash two to one thing",
    "why oh why did we do twenty one things",
])
def test_counts_sections_and_amounts_are_not_identifiers(text: str) -> None:
    assert _found(text) == []
