"""Themes for a project: read the store, embed through the cache, write outputs/themes/."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode.errors import TooFewStatements
from qualcode.outputs import write_csv, write_folder
from qualcode.project import Project
from qualcode.review.decisions import current_codings
from qualcode.store import Store
from qualcode.text import for_models
from qualcode.themes.analysis import Themes, find_themes, propose_codes, topic_code_table, uncovered_statements
from qualcode.themes.model import ThemeSettings
from qualcode.workspace.wiring import project_codebook, project_coding_digest, project_embedder

log = logging.getLogger(__name__)
THEMES_DIR = "themes"
PROPOSED = "proposed_codes.yaml"


@dataclass(frozen=True)
class ThemeReport:
    folder: Path
    emerging: Themes
    coverage: pd.DataFrame
    embedded: int  # statements the model had to embed (0 once the corpus is coded: all come from the cache)


def project_themes(project: Project, low_confidence: float = 0.5, settings: ThemeSettings | None = None,
                   propose: bool = False, coverage: bool = True) -> ThemeReport:
    """Emerging themes among the statements the codebook does not hold, and (with `coverage`) a topic-by-code
    table over all statements; written to outputs/themes/ (themes.csv, theme_quotes.csv, topic_by_code.csv,
    and proposed_codes.yaml with `propose`)."""
    settings = settings or ThemeSettings()
    codebook = project_codebook(project)
    with Store(project.store_path) as store:
        segments, codings = store.segments(), current_codings(store, codebook, project_coding_digest(project))
    pool = uncovered_statements(segments, codings, low_confidence)
    if len(pool) < settings.min_statements:  # say so before loading any model
        raise TooFewStatements(f"Only {len(pool)} statements no code holds above {low_confidence}; at least "
                               f"{settings.min_statements} are needed to look for themes.")
    embedder = project_embedder(project)
    everyone = segments if coverage else pool
    vectors = embedder.encode([for_models(t) for t in everyone["text"]])
    emerging = find_themes(pool, vectors[everyone["segment_id"].isin(set(pool["segment_id"])).to_numpy()],
                           settings, embedding_model=embedder.transformer)
    table = pd.DataFrame()
    if coverage:
        everything = find_themes(segments, vectors, settings, embedding_model=embedder.transformer)
        table = topic_code_table(everything.members, codings, everything.themes)
    log.info("Themes: %d among %d statements no code holds; %d embedded anew", len(emerging.themes), len(pool),
             embedder.encoded_)

    def write(folder: Path) -> None:
        write_csv(emerging.themes, folder / "themes.csv")
        write_csv(emerging.quotes, folder / "theme_quotes.csv")
        if coverage:
            write_csv(table, folder / "topic_by_code.csv", index=True)
        if propose:
            (folder / PROPOSED).write_text(propose_codes(emerging), encoding="utf-8")

    folder = write_folder(project.outputs / THEMES_DIR, write)
    return ThemeReport(folder=folder, emerging=emerging, coverage=table, embedded=embedder.encoded_)
