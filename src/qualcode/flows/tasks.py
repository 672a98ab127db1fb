"""The tasks the flows share. Each is a thin wrapper round one library call; none holds analysis logic.

Tasks pass project paths, day strings, coding digests and DataFrames of statements, never loaded models: a
process builds its coding engine once per digest (`_engine`) and reuses it across flow runs and batches.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from functools import lru_cache
from typing import Any

import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import Task, exponential_backoff

from qualcode.coders.digest import TOP_K
from qualcode.coders.engine import CodingEngine
from qualcode.errors import QualcodeError
from qualcode.workspace import IngestCounts, ReportSummary, Workspace
from qualcode.workspace.coding import pending_batches, save_codings

# Coding runs one batch at a time in the flow's process unless a Dask runner is chosen: the models are not
# thread-safe, and one process already uses every core for the embeddings. (Prefect's runner types are
# invariant in their future type, hence the ignore.)
SEQUENTIAL: TaskRunner[PrefectFuture[Any]] = ThreadPoolTaskRunner(max_workers=1)  # type: ignore[assignment]


def _transient(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry what may pass on a second try (the file system), never a logic or input error."""
    try:
        state.result()
    except QualcodeError:
        return False
    except OSError:
        return True
    except Exception:
        return False
    return False


@lru_cache(maxsize=2)
def _engine(project_dir: str, digest: str) -> CodingEngine:
    """The project's engine, built once per process and coding digest: a changed codebook, setting or model
    changes the digest, so a stale engine is never reused."""
    return Workspace.open(project_dir).engine()


@task(name="ingest-inbox", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_condition_fn=_transient, cache_policy=NO_CACHE)
def ingest(project_dir: str) -> IngestCounts:
    """New inbox files through the anonymisation gate into the store (files already there are skipped)."""
    # With nothing new, ingest returns before building any model; spaCy pipelines are cached per process.
    counts = Workspace.open(project_dir).ingest().counts
    get_run_logger().info("Ingest: %d new sources (%d statements), %d already ingested, %d set aside, %d "
                          "quarantined", counts.added, counts.statements, counts.skipped, counts.rejected,
                          counts.quarantined)
    return counts


@task(name="plan-coding", cache_policy=NO_CACHE)
def plan_coding(project_dir: str, batch_size: int) -> tuple[str, list[pd.DataFrame]]:
    """The coding digest, and the statements without a coding of it (new, or stale), in batches."""
    workspace = Workspace.open(project_dir)
    codebook, digest = workspace.codebook, workspace.coding_digest()
    batches = list(pending_batches(workspace.project, codebook, digest, batch_size))  # each becomes a task
    logger = get_run_logger()
    if batches:
        logger.info("Coding %d statements in %d batches with %s %s (coding digest %s)", sum(len(b) for b in batches),
                    len(batches), codebook.name, codebook.version, digest)
    else:
        logger.info("Nothing new to code: every statement is coded with %s %s (coding digest %s)", codebook.name,
                    codebook.version, digest)
    return digest, batches


@task(name="code-batch", cache_policy=NO_CACHE)
def code_batch(project_dir: str, digest: str, batch: pd.DataFrame) -> pd.DataFrame:
    """One batch through the coding engine (on whichever worker runs it); returns its codings."""
    return _engine(project_dir, digest).code(batch, top_k=TOP_K)


@task(name="save-codings", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_condition_fn=_transient, cache_policy=NO_CACHE)
def save(project_dir: str, digest: str, codings: pd.DataFrame) -> int:
    """One batch's codings in one transaction: a run killed after this keeps them, and never codes them twice."""
    save_codings(Workspace.open(project_dir).project, codings, digest)
    return int(codings["segment_id"].nunique())


@task(name="build-report", cache_policy=NO_CACHE)
def report(project_dir: str, day: str | None) -> ReportSummary:
    """The dated outputs and briefing, rebuilt from the store unless the day's folder records the same input
    digest (content of store, settings, codebook, hypotheses, coding digest; never paths)."""
    summary = Workspace.open(project_dir).report_summary(dt.date.fromisoformat(day) if day else None)
    if not summary.rebuilt:
        get_run_logger().info("Report for %s is current: nothing it is built from has changed", summary.as_of)
    get_run_logger().info("Report for %s: %d statements, %d hypotheses, %d changed status", summary.as_of,
                          summary.statements, len(summary.statuses), len(summary.status_before))
    return summary


@task(name="summarise", cache_policy=NO_CACHE)
def summarise(flow_name: str, ingested: IngestCounts, coded: int, built: ReportSummary | None,
              copied: int | None = None) -> str:
    """A markdown artifact with counts and statuses only: no statement, quote or name ever goes into it."""
    lines = [f"# {flow_name}", "", "| step | count |", "|---|---|"]
    lines += [f"| files copied | {copied} |"] if copied is not None else []
    lines += [f"| sources {k} | {v} |" for k, v in asdict(ingested).items()]
    lines += [f"| statements coded | {coded} |"]
    if built is not None:
        lines += [f"| emerging themes {k} | {v} |" for k, v in built.themes.items()]
        lines += [f"| before the week: {k} | {v} |" for k, v in built.prereview.items()]
        lines += ["", f"## Hypotheses as of {built.as_of}", "", "| id | status | before |", "|---|---|---|"]
        lines += [f"| {h} | {s} | {built.status_before.get(h, '')} |" for h, s in built.statuses.items()]
    markdown = "\n".join(lines)
    create_markdown_artifact(markdown, key=flow_name, description=f"{flow_name}: counts and statuses")
    return markdown
