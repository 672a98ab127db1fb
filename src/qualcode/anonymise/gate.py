"""The anonymisation gate: every source is pseudonymised before it is laid out, segmented or stored."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from qualcode.anonymise.detector import Detector, merge_overlaps
from qualcode.anonymise.entities import CONFIRMED, PLACEHOLDER, Finding, kind_of
from qualcode.anonymise.evidence import in_a_technical_word, writes_capitals
from qualcode.anonymise.lexicon import Lexicon, fold, lexicon
from qualcode.anonymise.presidio import PhoneRecognizer, UkPostcodeRecognizer
from qualcode.anonymise.pseudonyms import Pseudonyms
from qualcode.anonymise.recognisers import uk_recognisers
from qualcode.anonymise.spoken import spoken_identifiers
from qualcode.errors import Quarantined
from qualcode.models import ParsedFile, SourceMeta, SpeakerMeta

PLACEHOLDER_STEM = re.compile(r"[A-Z_]+_\d+")
# Speaker labels that are roles, not people: "Social Worker 2", "R01", "TM Assessment", "Peer (health)".
_ROLE_LABEL = re.compile(r"^(?:(?:R|P|Respondent|Participant|Speaker|Interviewee|Interviewer|Facilitator|Moderator|"
                         r"Researcher|Reviewer|Evaluator|Observer|Voice|Q|A|I|Int|IV|IVR|Spk|S|Mod|Fac|Obs)"
                         r"[\s_\-]*(?:\d+|[A-Z])?"
                         r"|(?:unknown|unidentified|other|male|female|new)\s+(?:speaker|voice)(?:[\s_\-]*\d+)?"
                         r"|[A-Za-z]{1,4}[\s_\-]*\d{1,3})$",  # "sp1", "pt 2", "v3": an abbreviation and a number
                         re.IGNORECASE)


_INITIALS_IN_BRACKETS = re.compile(r"\([A-Z]{1,3}\)")


@dataclass(frozen=True)
class Redaction:
    """How often one placeholder replaced something in a source: for the report, never the value."""

    kind: str
    placeholder: str
    count: int


@dataclass(frozen=True)
class Residual:
    """Something in anonymised text that still looks identifying: its kind and where, never what."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class AnonymisedFile:
    parsed: ParsedFile
    meta: SourceMeta
    redactions: tuple[Redaction, ...]
    replacements: dict[str, str]  # normalised original -> placeholder, for scrubbing the file's own name


class Anonymiser:
    """The gate: pseudonymises turns, speaker labels and metadata with one detector and one project-wide
    registry, then re-scans what it produced and refuses a source that still looks identifying.

    Args:
        residual_threshold: how many residual findings a source may have before it is quarantined.
    """

    def __init__(self, detector: Detector, pseudonyms: Pseudonyms, residual_threshold: int = 0) -> None:
        self.detector = detector
        self.pseudonyms = pseudonyms
        self.residual = ResidualCheck(detector)
        self.residual_threshold = residual_threshold

    def find(self, texts: list[str], people: Iterable[str] = ()) -> list[list[Finding]]:
        """Identifying spans in each text of one document: the detector's, then every confirmed value of the
        project swept up again. `people` are speaker labels that name people."""
        detected = self.detector.detect(texts, people)
        for text, findings in zip(texts, detected, strict=True):
            for finding in findings:
                self.pseudonyms.placeholder_for(finding.kind, text[finding.start:finding.end],
                                                confirmed=finding.score >= CONFIRMED)
        sweep = _sweep_pattern(self.pseudonyms.known_originals(), lexicon())
        swept = [_swept(text, sweep, self.detector) for text in texts]
        if writes_capitals(texts):
            swept = _as_written(texts, swept)
        return [merge_overlaps([*findings, *again], text)
                for text, findings, again in zip(texts, detected, swept, strict=True)]

    def detect_file(self, parsed: ParsedFile, meta: SourceMeta | None = None
                    ) -> tuple[dict[str, str], list[list[Finding]]]:
        """How one file's speaker labels are shown (a name becomes a placeholder) and the findings in each of its
        turns: labels first, since a label that names a person makes that name a name wherever it is said."""
        labels = {label: self.label(label) for label in _labels(parsed, meta)}
        people = [label for label, shown in labels.items() if shown != label]
        return labels, self.find([turn.text for turn in parsed.turns], people)

    def anonymise(self, parsed: ParsedFile, meta: SourceMeta) -> AnonymisedFile:
        """Pseudonymise the words, the speaker labels and every free-text metadata value of one file."""
        texts = [turn.text for turn in parsed.turns]
        used: Counter[tuple[str, str]] = Counter()
        replacements: dict[str, str] = {}
        labels, found = self.detect_file(parsed, meta)
        new_texts = [self._replace(text, spans, used, replacements)
                     for text, spans in zip(texts, found, strict=True)]
        turns = [replace(raw, text=text) for raw, text in zip(parsed.turns, new_texts, strict=True)]
        turns = [replace(t, speaker=labels.get(t.speaker, t.speaker) if t.speaker else None) for t in turns]
        values = self.scrub_values([meta.role, meta.agency, meta.site,
                                    *(v for m in (*meta.speakers.values(), *parsed.speakers.values())
                                      for v in (m.role, m.agency))], used, replacements)

        def scrubbed(who: SpeakerMeta) -> SpeakerMeta:
            return SpeakerMeta(role=values[who.role], agency=values[who.agency])

        meta = meta.model_copy(update={
            "role": values[meta.role], "agency": values[meta.agency], "site": values[meta.site],
            "interviewer": labels.get(meta.interviewer, meta.interviewer) if meta.interviewer else None,
            "speakers": {labels.get(k, k): scrubbed(v) for k, v in meta.speakers.items()},
        })
        speakers = {labels.get(k, k): scrubbed(v) for k, v in parsed.speakers.items()}
        redactions = tuple(Redaction(kind, place, n) for (kind, place), n in sorted(used.items()))
        return AnonymisedFile(replace(parsed, turns=turns, speakers=speakers), meta, redactions,
                              {**replacements, **{k.casefold(): v for k, v in labels.items() if k != v}})

    def scrub_values(self, values: list[str], used: Counter[tuple[str, str]] | None = None,
                     replacements: dict[str, str] | None = None) -> dict[str, str]:
        """Short free-text values (a role, an agency, a site) with anything identifying pseudonymised."""
        distinct = sorted(set(values))
        found = self.find(distinct)
        used = Counter() if used is None else used
        replacements = {} if replacements is None else replacements
        return {value: self._replace(value, spans, used, replacements)
                for value, spans in zip(distinct, found, strict=True)}

    def scrub_name(self, name: str, replacements: dict[str, str] | None = None) -> str:
        """A file name or source id with anything identifying replaced: values already found in the file,
        structured identifiers (a phone number, a date of birth), and words on the name lists that are not
        everyday or field words ("hargreaves_kayleigh.txt", not "senior-leaders.txt")."""
        name = _replace_known(name, replacements or {})
        spaced = re.sub(r"[_\-]", " ", name)  # same length: offsets hold
        spans = [(r.start, r.end, _kind(r.entity_type)) for recogniser in self.residual.recognisers
                 for r in recogniser.analyze(spaced, recogniser.supported_entities, None)  # type: ignore[arg-type]
                 if r.score > 0]
        spans += [(m.start(), m.end(), "PERSON") for m in re.finditer(r"[^\W\d_]{3,}", name)
                  if self.residual.is_listed_name(m.group(0), capitalised_only=False)]
        spans += [(f.start, f.end, f.kind) for f in spoken_identifiers(spaced)]
        for found in sorted(merge_overlaps(Finding(a, b, k) for a, b, k in spans), reverse=True):
            value = name[found.start:found.end]
            if not PLACEHOLDER_STEM.fullmatch(value):
                place = self.pseudonyms.placeholder_for(found.kind, value).strip("[]")
                name = name[:found.start] + place + name[found.end:]
        return name

    def _replace(self, text: str, found: list[Finding], used: Counter[tuple[str, str]],
                 replacements: dict[str, str]) -> str:
        for finding in reversed(found):
            value = text[finding.start:finding.end]
            place = self.pseudonyms.placeholder_for(finding.kind, value)
            replacements[value.casefold()] = place
            used[(kind_of(place), place)] += 1
            text = text[:finding.start] + place + text[finding.end:]
        return text

    def check_residual(self, text: str, name: str) -> None:
        """Refuse anonymised text that still looks identifying; the report names kinds and places only."""
        residuals = self.residual.scan(text)
        if len(residuals) > self.residual_threshold:
            where = "; ".join(f"{r.kind} at line {text.count(chr(10), 0, r.start) + 1}, characters "
                              f"{r.start}-{r.end}" for r in residuals[:20])
            raise Quarantined(f"{len(residuals)} possible identifier(s) remain after anonymisation: {where}.",
                              path=name)

    def label(self, label: str) -> str:
        """A speaker label stays when it names a role; the name in a label is pseudonymised and its role kept
        ("DS Okafor" -> "DS [PERSON_1]", "sinead" -> "[PERSON_2]")."""
        if _ROLE_LABEL.match(label.strip()) or PLACEHOLDER.fullmatch(label):
            return label
        words = list(re.finditer(r"[^\W\d_][\w'’-]*", label))
        named = [i for i, m in enumerate(words)
                 if not self.detector.is_allowed(m.group(0)) and (self.detector.evidence.is_name_word(
                     m.group(0), alone=len(words) == 1) or (
                     _INITIALS_IN_BRACKETS.match(label, max(0, m.start() - 1))))]  # "Interviewer (JW)"
        if not named:
            return label
        first, last = named[0], named[-1]
        while first > 0 and words[first - 1].group(0)[0].isupper() and not self.detector.is_allowed(
                words[first - 1].group(0)):
            first -= 1  # "Tolu Mehmood": a capitalised neighbour of a name in a label is part of it
        while last + 1 < len(words) and words[last + 1].group(0)[0].isupper() and not self.detector.is_allowed(
                words[last + 1].group(0)):
            last += 1
        start, end = words[first].start(), words[last].end()
        return label[:start] + self.pseudonyms.placeholder_for("PERSON", label[start:end]) + label[end:]


def _replace_known(name: str, replacements: dict[str, str]) -> str:
    """A file name with any value found in the file replaced (separators count as spaces)."""
    for original in sorted(replacements, key=len, reverse=True):
        words = [re.escape(w) for w in original.split() if w]
        if not words or len(original) < 3:
            continue
        pattern = re.compile(r"(?<![a-z0-9])" + r"[\s_.\-]+".join(words) + r"(?![a-z0-9])", re.IGNORECASE)
        name = pattern.sub(replacements[original].strip("[]"), name)
    return name


def _labels(parsed: ParsedFile, meta: SourceMeta | None) -> set[str]:
    labels = {t.speaker for t in parsed.turns if t.speaker}
    labels.update(parsed.speakers)
    if meta is not None:
        labels.update(meta.speakers)
        if meta.interviewer:
            labels.add(meta.interviewer)
    return labels


_OWN_PSEUDONYM_AFTER = re.compile(r"\s+(?:\d{1,3}|[A-Z])\b")  # "Country X", "Company 1": someone's own placeholder


def _sweep_pattern(originals: dict[str, str], words: Lexicon) -> re.Pattern[str] | None:
    """Every confirmed value of this project, so a name caught once is caught everywhere. A single everyday word
    ("Grace", "Country" of "Country Xian") is left to the detector; a longer value with one in it is looked for
    only capitalised inside a sentence."""
    values = [v for v in originals if len(v) >= 3 and not (" " not in v and words.is_common(v))]
    if not values:
        return None
    values.sort(key=len, reverse=True)
    alternatives = []
    for value in values:
        parts = value.split()
        if any(words.is_common(w) for w in parts):
            capitalised = r"[\s\-]+".join(f"[{re.escape(w[0].upper())}]{re.escape(w[1:])}" for w in parts)
            alternatives.append(rf"(?-i:(?<=[\w,;] ){capitalised})")
        else:
            alternatives.append(r"[\s\-]+".join(re.escape(w) for w in parts))
    return re.compile(rf"(?<![\w\[])(?:{'|'.join(alternatives)})(?![\w\]])", re.IGNORECASE)


def _swept(text: str, pattern: re.Pattern[str] | None, detector: Detector) -> list[Finding]:
    if pattern is None:
        return []
    return [Finding(m.start(), m.end(), "PERSON", 0.5) for m in pattern.finditer(text)
            if not detector.is_allowed(m.group(0)) and not _OWN_PSEUDONYM_AFTER.match(text, m.end())]


EVERYDAY_HERE = 3  # lower-case uses of a word, more than its capitalised ones, that make it a word of this document


def _as_written(texts: Sequence[str], swept: list[list[Finding]]) -> list[list[Finding]]:
    """A document written with capitals writes names with capitals. A confirmed value it writes in lower case
    `EVERYDAY_HERE` times or more, and more often than with a capital, is one of its everyday words ("maintainer"
    in a manual of the Debian project), and is not swept in lower case; nor is a lower-case part of a path, an
    address or a channel ("debian/rules", "#debian"); a name typed once in lower case ("then adebayo fixed it")
    still is."""
    lower: Counter[str] = Counter()
    capitalised: Counter[str] = Counter()
    for text, found in zip(texts, swept, strict=True):
        for finding in found:
            value = text[finding.start:finding.end]
            (lower if value.islower() else capitalised)[value.casefold()] += 1
    everyday = {v for v, n in lower.items() if n >= EVERYDAY_HERE and n > capitalised[v]}
    return [[f for f in found if not (text[f.start:f.end].islower() and (
                text[f.start:f.end] in everyday or in_a_technical_word(text, f.start, f.end)))]
            for text, found in zip(texts, swept, strict=True)]


# --- residual risk: a second, independent look at text that is meant to be anonymous ------------------------

class ResidualCheck:
    """Re-scans anonymised text with cheap, independent detectors: the phonenumbers library, presidio's own
    postcode pattern, qualcode's structured patterns at any score, titles before capitalised words, and
    capitalised first names. Placeholders are ignored."""

    def __init__(self, detector: Detector) -> None:
        self.detector = detector
        self.recognisers = [PhoneRecognizer(supported_regions=("GB",)), UkPostcodeRecognizer(),
                            *[r for r in uk_recognisers() if r.supported_entities[0] not in
                              {"AGE", "PLACE", "ORG", "CASE_REF", "SCHOOL", "ADDRESS"}]]
        for recogniser in self.recognisers:
            recogniser.load()
        self.words = lexicon()

    def scan(self, text: str) -> list[Residual]:
        residuals: list[Residual] = []
        masked = PLACEHOLDER.sub(lambda m: "X" * len(m.group(0)), text)
        for recogniser in self.recognisers:
            for result in recogniser.analyze(masked, recogniser.supported_entities, None):  # type: ignore[arg-type]
                value = masked[result.start:result.end]
                if result.score > 0 and "XXX" not in value and not self.detector.is_allowed(value):
                    residuals.append(Residual(_kind(result.entity_type), result.start, result.end))
        for match in re.finditer(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Cllr)\.?\s+[A-Z][a-z]{2,}", masked):
            surname = match.group(0).split(maxsplit=1)[1]
            if not self.detector.is_allowed(surname) and not self.words.is_common(surname):
                residuals.append(Residual("PERSON", match.start(), match.end()))
        for match in re.finditer(r"(?:(?<=[a-z,;] )|(?<=: )|^)[A-Z][a-z]{2,}\b", masked, re.MULTILINE):
            if self.is_listed_name(match.group(0)):
                residuals.append(Residual("PERSON", match.start(), match.end()))
        return sorted(set(residuals), key=lambda r: (r.start, r.end))

    def is_listed_name(self, word: str, capitalised_only: bool = True) -> bool:
        """On the first-name (or, for file names, surname) lists, and not an everyday or field word."""
        folded = fold(word)
        listed = folded in self.words.first_names or (not capitalised_only and folded in self.words.surnames)
        return (listed and not self.words.is_common(folded) and folded not in self.words.countries
                and not self.words.is_foreign_word(folded) and not self.detector.is_allowed(word))


def _kind(entity: str) -> str:
    return {"PHONE_NUMBER": "PHONE", "UK_POSTCODE": "POSTCODE", "EMAIL_ADDRESS": "EMAIL"}.get(entity, entity)
