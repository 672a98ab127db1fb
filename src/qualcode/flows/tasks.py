"""The tasks the flows share. Each is a thin wrapper round one library call; none holds analysis logic.

Tasks pass project paths, day strings and DataFrames of statements, never loaded models: a process builds
its coding engine once (`_engine`) and reuses it across flow runs and batches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import Task, exponential_backoff

from qualcode.coders.engine import CodingEngine
from qualcode.coders.project_coding import TOP_K, pending_batches, project_codebook, project_engine, save_codings
from qualcode.errors import QualcodeError
from qualcode.ingest import ingest_inbox
from qualcode.project import Project
from qualcode.reports import BRIEFING, build_report, report_is_current

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


def _fingerprint(project: Project) -> str:
    """Changes whenever the codebook file or the coding settings change, so a stale engine is never reused."""
    codebook = project_codebook(project)
    digest = hashlib.sha256(codebook.model_dump_json().encode())
    digest.update(project.config.coding.model_dump_json().encode())
    digest.update(project.config.spacy_model.encode())
    return digest.hexdigest()


@lru_cache(maxsize=2)
def _engine(project_dir: str, fingerprint: str) -> CodingEngine:
    return project_engine(Project.open(Path(project_dir)))


@task(name="ingest-inbox", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_condition_fn=_transient, cache_policy=NO_CACHE)
def ingest(project_dir: str) -> dict[str, int]:
    """New inbox files through the anonymisation gate into the store (files already there are skipped)."""
    # With nothing new, ingest returns before building any model; spaCy pipelines are cached per process.
    report = ingest_inbox(Project.open(Path(project_dir)))
    counts = {"added": len(report.added), "statements": sum(o.segments for o in report.added),
              "skipped": len(report.skipped), "rejected": len(report.rejected),
              "quarantined": len(report.quarantined)}
    get_run_logger().info("Ingest: %(added)d new sources (%(statements)d statements), %(skipped)d already "
                          "ingested, %(rejected)d set aside, %(quarantined)d quarantined", counts)
    return counts


@task(name="plan-coding", cache_policy=NO_CACHE)
def plan_coding(project_dir: str, batch_size: int) -> list[pd.DataFrame]:
    """The statements not yet coded with the project's codebook version, in batches."""
    project = Project.open(Path(project_dir))
    codebook = project_codebook(project)
    batches = list(pending_batches(project, codebook, batch_size))  # each becomes a task
    logger = get_run_logger()
    if batches:
        logger.info("Coding %d statements in %d batches with %s %s", sum(len(b) for b in batches), len(batches),
                    codebook.name, codebook.version)
    else:
        logger.info("Nothing new to code: every statement is coded with %s %s", codebook.name, codebook.version)
    return batches


@task(name="code-batch", cache_policy=NO_CACHE)
def code_batch(project_dir: str, batch: pd.DataFrame) -> pd.DataFrame:
    """One batch through the coding engine (on whichever worker runs it); returns its codings."""
    project = Project.open(Path(project_dir))
    return _engine(project_dir, _fingerprint(project)).code(batch, top_k=TOP_K)


@task(name="save-codings", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_condition_fn=_transient, cache_policy=NO_CACHE)
def save(project_dir: str, codings: pd.DataFrame) -> int:
    """One batch's codings in one transaction: a run killed after this keeps them, and never codes them twice."""
    save_codings(Project.open(Path(project_dir)), codings)
    return int(codings["id"].nunique())


@task(name="build-report", cache_policy=NO_CACHE)
def report(project_dir: str, day: str | None) -> dict[str, Any]:
    """The dated outputs and briefing, rebuilt from the store unless the day's folder records the same input
    digest (content of store, settings, codebook, hypotheses; never paths); returns counts and statuses only."""
    project = Project.open(Path(project_dir))
    as_of = dt.date.fromisoformat(day) if day else dt.date.today()
    folder = project.outputs / as_of.isoformat()
    if report_is_current(project, as_of):
        get_run_logger().info("Report for %s is current: nothing it is built from has changed", as_of)
    else:
        folder = build_report(project, as_of).folder
    summary = pd.read_csv(folder / "hypotheses.csv", keep_default_na=False)
    changes = pd.read_csv(folder / "changes_by_hypothesis.csv", keep_default_na=False).query("changed")
    voices = pd.read_csv(folder / "new_voices.csv", keep_default_na=False)
    statements = int(pd.read_csv(folder / "sources.csv")["statements"].sum())
    get_run_logger().info("Report for %s: %d statements, %d hypotheses, %d changed status", as_of, statements,
                          len(summary), len(changes))
    return {"briefing": str(folder / BRIEFING), "as_of": as_of.isoformat(),
            "statuses": dict(zip(summary["hypothesis_id"], summary["status"], strict=True)),
            "status_before": dict(zip(changes["hypothesis_id"], changes["status_before"], strict=True)),
            "statements": statements, "new_agencies": sorted(voices.loc[voices["kind"] == "agency", "voice"])}


@task(name="summarise", cache_policy=NO_CACHE)
def summarise(flow_name: str, ingested: dict[str, int], coded: int, built: dict[str, Any] | None) -> str:
    """A markdown artifact with counts and statuses only: no statement, quote or name ever goes into it."""
    lines = [f"# {flow_name}", "", "| step | count |", "|---|---|"]
    lines += [f"| sources {k} | {v} |" for k, v in ingested.items()]
    lines += [f"| statements coded | {coded} |"]
    if built is not None:
        lines += ["", f"## Hypotheses as of {built['as_of']}", "", "| id | status | before |", "|---|---|---|"]
        lines += [f"| {h} | {s} | {built['status_before'].get(h, '')} |" for h, s in built["statuses"].items()]
    markdown = "\n".join(lines)
    create_markdown_artifact(markdown, key=flow_name, description=f"{flow_name}: counts and statuses")
    return markdown
