"""Measuring the gate on a labelled set: recall per entity type (what would have leaked) and precision.

A labelled entity counts as caught when every one of its characters is covered by some finding, whatever
kind the finding was given: what matters is that the value does not reach the store. A finding is correct
when it overlaps a labelled entity. Each passage is anonymised with a fresh registry, so one passage's
names never help another's.
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


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    entities: tuple[tuple[int, int, str], ...]


def load_labelled(path: Path) -> list[Labelled]:
    """Read JSON lines of {"id", "text", "entities": [{"start", "end", "type"}]}; offsets are checked."""
    passages = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            entities = tuple((int(e["start"]), int(e["end"]), str(e["type"])) for e in item["entities"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise BadJson("Each line needs id, text and entities with start, end and type.", path=path,
                          line=number) from None
        if any(not 0 <= s < e <= len(text) for s, e, _ in entities):
            raise BadJson("An entity's offsets fall outside its text.", path=path, line=number)
        passages.append(Labelled(str(item.get("id", number)), text, entities))
    return passages


def evaluate(detector: Detector, passages: list[Labelled]) -> pd.DataFrame:
    """One row per entity type plus `overall`: columns type, support, caught, recall, predicted, correct,
    precision (precision is only meaningful overall, since a finding's kind may differ from the label's)."""
    support: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    predicted = correct = 0
    for passage in passages:
        gate = Anonymiser(detector, Pseudonyms(b"evaluation"))
        findings = gate.find([passage.text])[0]
        covered: set[int] = set()
        for finding in findings:
            covered.update(range(finding.start, finding.end))
        for start, end, kind in passage.entities:
            support[kind] += 1
            caught[kind] += all(i in covered for i in range(start, end))
        predicted += len(findings)
        correct += sum(1 for f in findings if any(f.start < e and s < f.end for s, e, _ in passage.entities))
    rows = [{"type": kind, "support": support[kind], "caught": caught[kind],
             "recall": caught[kind] / support[kind], "predicted": None, "correct": None, "precision": None}
            for kind in sorted(support)]
    total, total_caught = sum(support.values()), sum(caught.values())
    rows.append({"type": "overall", "support": total, "caught": total_caught,
                 "recall": total_caught / total if total else 0.0, "predicted": predicted, "correct": correct,
                 "precision": correct / predicted if predicted else 1.0})
    table = pd.DataFrame(rows)
    return table.astype({"predicted": "Int64", "correct": "Int64"})
