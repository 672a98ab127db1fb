"""Themes for a project: read the store, embed through the cache, write outputs/themes/."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from qualcode.errors import TooFewStatements
from qualcode.models import DOCUMENT
from qualcode.outputs import write_csv, write_folder
from qualcode.project import Project
from qualcode.review.decisions import current_codings
from qualcode.store import Store
from qualcode.text import for_models
from qualcode.themes.analysis import Themes, find_themes, propose_codes, topic_code_table, uncovered_statements
from qualcode.themes.filters import BACKCHANNEL, NO_SUBJECT, OTHER_LANGUAGE
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


def project_themes(project: Project, low_confidence: float | None = None, settings: ThemeSettings | None = None,
                   propose: bool = False, coverage: bool = True) -> ThemeReport:
    """Emerging themes among the statements the codebook does not hold (no code at `low_confidence` or more;
    default the project's `themes.low_confidence`), and (with `coverage`) a topic-by-code
    table over all statements; written to outputs/themes/ (themes.csv, theme_quotes.csv, left_out.csv, themes.md,
    topic_by_code.csv, and proposed_codes.yaml with `propose`)."""
    low_confidence = project.config.themes.low_confidence if low_confidence is None else low_confidence
    settings = settings or ThemeSettings(min_statements=project.config.themes.min_statements)
    if settings.spacy_model is None:
        settings = replace(settings, spacy_model=project.config.spacy_model)
    codebook = project_codebook(project)
    with Store(project.store_path) as store:
        segments, codings = store.segments(), current_codings(store, codebook, project_coding_digest(project))
    segments = segments[segments["source_type"] != DOCUMENT].reset_index(drop=True)  # what people said, only
    pool = uncovered_statements(segments, codings, low_confidence)
    if len(pool) < settings.min_statements:  # say so before loading any model
        raise TooFewStatements(f"Only {len(pool)} statements no code holds above {low_confidence}; at least "
                               f"{settings.min_statements} are needed to look for themes.")
    embedder = project_embedder(project)
    everyone = segments if coverage else pool
    vectors = embedder.encode([for_models(t) for t in everyone["text"]])
    emerging = find_themes(pool, vectors[everyone["segment_id"].isin(set(pool["segment_id"])).to_numpy()],
                           settings, embedding_model=embedder.embedding_backend)
    table = pd.DataFrame()
    if coverage:
        everything = find_themes(segments, vectors, settings, embedding_model=embedder.embedding_backend)
        table = topic_code_table(everything.members, codings, everything.themes)
    left_out = emerging.left_out
    log.info("Themes: %d among %d statements no code holds (left out: %d backchannels, %d in another language, "
             "%d naming no subject); %d embedded anew", len(emerging.themes), len(pool), left_out[BACKCHANNEL],
             left_out[OTHER_LANGUAGE], left_out[NO_SUBJECT], embedder.encoded_)

    def write(folder: Path) -> None:
        write_csv(emerging.themes, folder / "themes.csv")
        write_csv(emerging.quotes, folder / "theme_quotes.csv")
        write_csv(left_out_statements(emerging), folder / "left_out.csv")
        (folder / "themes.md").write_text(themes_markdown(emerging, low_confidence), encoding="utf-8")
        if coverage:
            write_csv(table, folder / "topic_by_code.csv", index=True)
        if propose:
            (folder / PROPOSED).write_text(propose_codes(emerging), encoding="utf-8")

    folder = write_folder(project.outputs / THEMES_DIR, write)
    return ThemeReport(folder=folder, emerging=emerging, coverage=table, embedded=embedder.encoded_)


def left_out_statements(themes: Themes) -> pd.DataFrame:
    """The statements themes left out, by reference only (segment_id, source_id, start, end) and `reason`."""
    members = themes.members
    left = members[members["left_out"] != ""]
    columns = [c for c in ("segment_id", "source_id", "start", "end") if c in left]
    return left[columns].assign(reason=left["left_out"]).reset_index(drop=True)


def themes_markdown(themes: Themes, low_confidence: float) -> str:
    """A short summary to read: how many statements were looked at and left out, and each theme."""
    left_out = themes.left_out
    lines = [
        "# Emerging themes", "",
        f"Among {len(themes.members)} statements no code holds above {low_confidence}: {len(themes.themes)} themes. "
        f"Left out: {left_out[BACKCHANNEL]} backchannels (replies, fillers and courtesies with no content word), "
        f"{left_out[OTHER_LANGUAGE]} statements in another language than English and {left_out[NO_SUBJECT]} "
        "that name no subject (fewer than two words a keyword could be: \"Same.\") (left_out.csv lists them).",
        "", "| theme | statements | keywords | raised by |", "|---|---|---|---|"]
    for row in themes.themes.itertuples(index=False):
        cells = (row.label, str(row.statements), row.keywords, row.roles)
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"
