"""The nightly review run: inbox -> anonymisation gate -> statements -> codes -> evidence -> dated briefing.

    qualcode nightly DIR              once, in Prefect's ephemeral mode (no server to start)
    qualcode schedule DIR --at 02:00  every night, served from a Prefect server

Incremental and idempotent: files already ingested and statements already coded with the coding digest
are skipped by content (the store is the cache), so a rerun with nothing new codes nothing and rebuilds the
same outputs. Each batch of codings is saved in its own transaction, so a killed run resumes where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow
from prefect.client.schemas.schedules import CronSchedule
from prefect.futures import as_completed

from qualcode.flows.tasks import SEQUENTIAL, code_batch, ingest, plan_coding, report, save, summarise
from qualcode.project import Project
from qualcode.workspace import IngestCounts, ReportSummary
from qualcode.workspace.lock import project_lock

FLOW_NAME = "nightly-review"


@dataclass(frozen=True)
class NightlyRun:
    """A night's run in counts and statuses (no statement, quote or name)."""

    ingested: IngestCounts
    coded: int
    report: ReportSummary


@flow(name=FLOW_NAME, task_runner=SEQUENTIAL, log_prints=False)
def nightly_review(project_dir: str, day: str | None = None, batch_size: int = 256) -> NightlyRun:
    """One night's run over a review project folder.

    Args:
        project_dir: the project folder (holds qualcode.yaml).
        day: report as of this day (YYYY-MM-DD); default today.
        batch_size: statements per coding task (and per saved transaction).
    """
    wait = Project.open(Path(project_dir)).config.orchestration.lock_wait_seconds
    with project_lock(Path(project_dir), wait):  # one run at a time: its tasks take it again on their threads
        ingested = ingest(project_dir)
        coded = code_all(project_dir, batch_size)
        built = report(project_dir, day)
    summarise(FLOW_NAME, ingested, coded, built)
    return NightlyRun(ingested=ingested, coded=coded, report=built)


def code_all(project_dir: str, batch_size: int) -> int:
    """Code every pending batch on the flow's task runner; save each as it finishes (one writer: this process)."""
    digest, batches = plan_coding(project_dir, batch_size)
    futures = [code_batch.submit(project_dir, digest, batch) for batch in batches]
    return sum(save(project_dir, digest, future.result()) for future in as_completed(futures))


def nightly_schedule(hour: int, minute: int, timezone: str) -> CronSchedule:
    """Every day at HH:MM in `timezone` (for `qualcode schedule`, which serves the nightly flow on it)."""
    return CronSchedule(cron=f"{minute} {hour} * * *", timezone=timezone)
