"""Measuring the gate on a labelled set: recall per entity type (what would have leaked), precision, and how
much of the field's own vocabulary survives.

Each labelled item is a passage or a whole transcript (`label: words` lines). It is read as `qualcode ingest`
reads a plain-text transcript and passed through the gate as one file (speaker labels included), with a fresh
registry, so one item's names never help another's. A labelled entity counts as caught when every one of its
characters is covered by some finding (or by a speaker label the gate replaces), whatever kind the finding was
given: what matters is that the value does not reach the store. A finding is correct when it overlaps a
labelled entity. A `keep` span (a role, an agency, a process, a weekday) counts as kept when no finding touches
it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode.anonymise.detector import Detector
from qualcode.anonymise.gate import Anonymiser
from qualcode.anonymise.pseudonyms import Pseudonyms
from qualcode.errors import BadJson
from qualcode.ingest.plaintext import read_plaintext

KEPT = "field vocabulary kept"


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    entities: tuple[tuple[int, int, str], ...]
    keep: tuple[tuple[int, int], ...] = ()


def load_labelled(path: Path) -> list[Labelled]:
    """Read JSON lines of {"id", "text", "entities": [{"start", "end", "type"}], "keep": [{"start", "end"}]}
    ("keep" optional); offsets are checked."""
    passages = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            entities = tuple((int(e["start"]), int(e["end"]), str(e["type"])) for e in item["entities"])
            keep = tuple((int(k["start"]), int(k["end"])) for k in item.get("keep", ()))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise BadJson("Each line needs id, text and entities with start, end and type.", path=path,
                          line=number) from None
        if any(not 0 <= s < e <= len(text) for s, e in [*((s, e) for s, e, _ in entities), *keep]):
            raise BadJson("An entity's offsets fall outside its text.", path=path, line=number)
        passages.append(Labelled(str(item.get("id", number)), text, entities, keep))
    return passages


def covered(gate: Anonymiser, text: str) -> list[tuple[int, int]]:
    """The character spans of `text` the gate would replace, read as a plain-text transcript."""
    parsed = read_plaintext(Path("labelled.txt"), text.encode("utf-8"))
    labels, found = gate.detect_file(parsed)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for turn, findings in zip(parsed.turns, found, strict=True):
        at = text.find(turn.text, cursor)
        if at < 0:  # the reader joined or trimmed lines: place each line of the turn on its own
            at = text.find(turn.text.split("\n", 1)[0], cursor)
        label = turn.speaker or ""
        shown = labels.get(label, label)
        if shown != label:
            label_at = text.rfind(label, cursor, max(at, cursor) + 1)
            if label_at >= 0:  # only the part of the label the gate replaced ("DS Okafor" -> "DS [PERSON_1]")
                head = _common_prefix(label, shown)
                tail = _common_prefix(label[head:][::-1], shown[head:][::-1])
                spans.append((label_at + head, label_at + len(label) - tail))
        spans.extend((at + f.start, at + f.end) for f in findings)
        cursor = at + len(turn.text)
    return spans


def _common_prefix(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def evaluate(detector: Detector, passages: list[Labelled]) -> pd.DataFrame:
    """One row per entity type plus `overall` and the field vocabulary kept: columns type, support, caught,
    recall, predicted, correct, precision (precision only overall, since a finding's kind may differ from the
    label's)."""
    support: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    predicted = correct = kept = keep_total = 0
    for passage in passages:
        spans = covered(Anonymiser(detector, Pseudonyms(b"evaluation")), passage.text)
        hit: set[int] = set()
        for start, end in spans:
            hit.update(range(start, end))
        for start, end, kind in passage.entities:
            support[kind] += 1
            caught[kind] += all(i in hit for i in range(start, end))
        predicted += len(spans)
        correct += sum(1 for a, b in spans if any(a < e and s < b for s, e, _ in passage.entities))
        keep_total += len(passage.keep)
        kept += sum(1 for s, e in passage.keep if not any(i in hit for i in range(s, e)))
    rows = [{"type": kind, "support": support[kind], "caught": caught[kind],
             "recall": caught[kind] / support[kind], "predicted": None, "correct": None, "precision": None}
            for kind in sorted(support)]
    total, total_caught = sum(support.values()), sum(caught.values())
    rows.append({"type": "overall", "support": total, "caught": total_caught,
                 "recall": total_caught / total if total else 0.0, "predicted": predicted, "correct": correct,
                 "precision": correct / predicted if predicted else 1.0})
    if keep_total:
        rows.append({"type": KEPT, "support": keep_total, "caught": kept, "recall": kept / keep_total,
                     "predicted": None, "correct": None, "precision": None})
    table = pd.DataFrame(rows)
    return table.astype({"predicted": "Int64", "correct": "Int64"})
