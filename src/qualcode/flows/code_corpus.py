"""Batch coding of a researcher's whole corpus into a project, with the nightly run's guarantees.

    qualcode code-corpus DIR [--corpus FOLDER]

New files from FOLDER are copied into the project's inbox (nothing already there is overwritten), then
everything new is ingested and coded; a rerun does nothing, a killed run resumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from qualcode.flows.nightly_review import code_all
from qualcode.flows.tasks import SEQUENTIAL, ingest, summarise
from qualcode.project import Project
from qualcode.workspace import IngestCounts
from qualcode.workspace.ingest import copy_into_inbox

FLOW_NAME = "code-corpus"


@dataclass(frozen=True)
class CorpusRun:
    copied: int
    ingested: IngestCounts
    coded: int


@task(name="collect-corpus", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def collect(project_dir: str, corpus_dir: str) -> int:
    """Copy the corpus's files into inbox/<corpus folder name>/, keeping any file already there."""
    return copy_into_inbox(Project.open(Path(project_dir)), Path(corpus_dir))


@flow(name=FLOW_NAME, task_runner=SEQUENTIAL, log_prints=False)
def code_corpus(project_dir: str, corpus_dir: str | None = None, batch_size: int = 256) -> CorpusRun:
    copied = collect(project_dir, corpus_dir) if corpus_dir else 0
    ingested = ingest(project_dir)
    coded = code_all(project_dir, batch_size)
    summarise(FLOW_NAME, ingested, coded, None, copied=copied)
    return CorpusRun(copied=copied, ingested=ingested, coded=coded)
