"""Synthetic corpora at programme scale, recombined from the bundled samples' turns, for benchmarks.

A researcher's programme runs to thousands of interviews; we cannot commit that, and must never use real
ones. So a seeded generator deals the samples' exchanges (a question and its answer) into new transcripts, each
with its own site, date and speakers. An answer keeps the role and agency of the person who gave it, so the
coding and the matrices see realistic voices. The same seed always gives the same bytes.

Statements repeat across a synthetic corpus (there are only so many sample turns): benchmarks that time the
embedding must turn the embedding cache off, or the repeats cost nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from qualcode.errors import OutputExists
from qualcode.models import UNKNOWN, Source
from qualcode.samples import samples_dir

SITE_TYPES = ("unitary", "city", "london_borough", "county")
SOURCES_PER_SITE = 25  # about one review week's interviews
MEAN_CHARS = 8_000  # 5,000 sources come to about 40 million characters
FOCUS_GROUP_SHARE = 0.12
INTERVIEWER = "Interviewer"
FIRST_DAY, LAST_DAY = dt.date(2024, 1, 8), dt.date(2026, 10, 26)


Exchange = tuple[str, str]  # an interviewer's question and the answer it drew
Voice = tuple[str, str]  # (role, agency)


@dataclass(frozen=True)
class TurnPool:
    """What the generator deals from: each corpus's exchanges, keyed by the voice that answered.

    Corpora are kept apart so that a synthetic review-week interview never answers an evaluation question."""

    corpora: dict[str, dict[Voice, tuple[Exchange, ...]]]

    @classmethod
    def from_corpora(cls, corpora: dict[str, Iterable[Source]]) -> TurnPool:
        pools = {name: _exchanges(sources) for name, sources in corpora.items()}
        pools = {name: pool for name, pool in pools.items() if pool}
        if not pools:
            raise ValueError("No corpus has an answer with a known role and agency after an interviewer's question.")
        return cls(pools)

    @classmethod
    def from_samples(cls) -> TurnPool:
        from qualcode.workspace.ingest import read_folder

        return cls.from_corpora({name: read_folder(samples_dir() / name) for name in ("review_week", "evaluation")})


def _exchanges(sources: Iterable[Source]) -> dict[Voice, tuple[Exchange, ...]]:
    found: dict[Voice, list[Exchange]] = {}
    for source in sources:
        question = None
        for turn in source.turns:
            text = " ".join(source.text[turn.start:turn.end].split())
            if turn.is_interviewer:
                question = text
            elif question is not None and UNKNOWN not in (turn.role, turn.agency) and len(text) >= 20:
                found.setdefault((turn.role, turn.agency), []).append((question, text))
    return {voice: tuple(exchanges) for voice, exchanges in sorted(found.items())}


def synthesise(pool: TurnPool, count: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """`count` transcripts as (relative file path, text): plain text with front matter, one folder per site.

    Each site's sources come from one corpus; an interview deals its voice's exchanges, and in a focus group
    other voices answer the same question."""
    rng = random.Random(seed)
    names = sorted(pool.corpora)
    corpus_weights = [sum(map(len, pool.corpora[n].values())) for n in names]
    sites = max(1, math.ceil(count / SOURCES_PER_SITE))
    site_corpus = rng.choices(names, corpus_weights, k=sites)
    site_types = [rng.choice(SITE_TYPES) for _ in range(sites)]
    span = (LAST_DAY - FIRST_DAY).days
    weeks = [FIRST_DAY + dt.timedelta(days=7 * rng.randrange(span // 7)) for _ in range(sites)]
    for number in range(1, count + 1):
        site = (number - 1) % sites
        exchanges = pool.corpora[site_corpus[site]]
        voices = list(exchanges)
        source_id = f"syn-{seed}-{number:05d}"
        people = rng.randint(3, 6) if rng.random() < FOCUS_GROUP_SHARE else 1
        chosen = rng.choices(voices, [len(exchanges[v]) for v in voices], k=people)
        speakers = {f"Participant {i}": voice for i, voice in enumerate(chosen, start=1)} if people > 1 \
            else {"Participant": chosen[0]}
        meta = {
            "id": source_id, "site": f"SYN{site + 1:03d}", "site_type": site_types[site],
            "role": chosen[0][0], "agency": chosen[0][1],
            "source_type": "focus_group" if people > 1 else "interview",
            "date": (weeks[site] + dt.timedelta(days=rng.randrange(5))).isoformat(), "interviewer": INTERVIEWER,
            "speakers": {label: {"role": role, "agency": agency} for label, (role, agency) in speakers.items()},
        }
        lines = ["---", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).strip(), "---"]
        target = min(max(rng.lognormvariate(math.log(MEAN_CHARS) - 0.07, 0.35), 2_000), 24_000)
        length = sum(map(len, lines))
        while length < target:
            labels = list(speakers)
            first = rng.choice(labels)
            question, answer = rng.choice(exchanges[speakers[first]])
            turns = [(INTERVIEWER, question), (first, answer)]
            for label in rng.sample(labels, k=rng.randint(0, min(2, len(labels) - 1))):
                if label != first:
                    turns.append((label, rng.choice(exchanges[speakers[label]])[1]))
            for label, text in turns:
                lines.append(f"{label}: {text}")
                length += len(text) + len(label) + 3
        yield f"SYN{site + 1:03d}/{source_id}.txt", "\n".join(lines) + "\n"


def write_corpus(out: Path, count: int, seed: int = 0, pool: TurnPool | None = None,
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Write a synthetic corpus into `out`, which must be new or empty; returns the characters written."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputExists("The output folder already exists and is not empty.", path=out)
    pool = pool or TurnPool.from_samples()
    written = 0
    for done, (name, text) in enumerate(synthesise(pool, count, seed), start=1):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += len(text)
        if progress is not None:
            progress(done, count)
    return written
