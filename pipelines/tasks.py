"""The tasks the flows share. Each is a thin wrapper round one library call; none holds analysis logic.

Tasks pass project paths, day strings and DataFrames of statements, never loaded models: a process builds
its models once (`_engine`, `_ingest_models`) and reuses them across flow runs and batches.
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
from prefect.context import TaskRunContext
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import Task, exponential_backoff

from qualcode.anonymise.detector import Detector
from qualcode.coders.engine import CodingEngine
from qualcode.coders.project_coding import TOP_K, pending_batches, project_codebook, project_engine, save_codings
from qualcode.errors import QualcodeError
from qualcode.ingest import ingest_inbox
from qualcode.ingest.inbox import anything_new, project_detector
from qualcode.nlp import sentence_pipeline
from qualcode.project import Project
from qualcode.reports import build_report, report_inputs
from qualcode.reports import report_is_current as current_report
from qualcode.segment import Segmenter

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


@lru_cache(maxsize=2)
def _ingest_models(project_dir: str, spacy_model: str, anonymisation: str) -> tuple[Segmenter, Detector]:
    project = Project.open(Path(project_dir))
    return (Segmenter(sentence_pipeline(spacy_model), project.config.segmentation.settings()),
            project_detector(project))


@task(name="ingest-inbox", retries=2, retry_delay_seconds=exponential_backoff(backoff_factor=2),
      retry_condition_fn=_transient, cache_policy=NO_CACHE)
def ingest(project_dir: str) -> dict[str, int]:
    """New inbox files through the anonymisation gate into the store (files already there are skipped)."""
    project = Project.open(Path(project_dir))
    if anything_new(project):
        segmenter, detector = _ingest_models(project_dir, project.config.spacy_model,
                                             project.config.anonymisation.model_dump_json())
        report = ingest_inbox(project, segmenter=segmenter, detector=detector)
    else:
        report = ingest_inbox(project)  # nothing new: it returns before any model would be loaded
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
    batches = pending_batches(project, codebook, batch_size)
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


def _report_key(context: TaskRunContext, parameters: dict[str, Any]) -> str:
    """The report's inputs by content (store rows, settings, codebook, hypotheses, day), never by path: a
    path would hash the string, and a changed file would get yesterday's report."""
    return "report-" + report_inputs(Project.open(Path(parameters["project_dir"])), _day(parameters["day"]))


def _day(day: str | None) -> dt.date | None:
    return dt.date.fromisoformat(day) if day else None


def report_is_current(project_dir: str, day: str | None) -> bool:
    """Whether the day's folder holds the report of today's inputs; if not (missing, or built from other
    inputs), a cached result must not stand in for it."""
    return current_report(Project.open(Path(project_dir)), _day(day))


@task(name="build-report", cache_key_fn=_report_key, persist_result=True, result_serializer="json")
def report(project_dir: str, day: str | None) -> dict[str, Any]:
    """The dated outputs and briefing, rebuilt from the store; skipped (a cached result of counts and statuses
    only) when nothing it is built from has changed."""
    built = build_report(Project.open(Path(project_dir)), _day(day))
    summary = built.analysis.summary
    statuses = dict(zip(summary["hypothesis_id"], summary["status"], strict=True))
    changed = built.delta.hypotheses.query("changed")
    get_run_logger().info("Report for %s: %d statements, %d hypotheses, %d changed status",
                          built.analysis.as_of, len(built.analysis.segments), len(statuses), len(changed))
    return {"briefing": str(built.briefing), "as_of": built.analysis.as_of.isoformat(), "statuses": statuses,
            "status_before": dict(zip(changed["hypothesis_id"], changed["status_before"], strict=True)),
            "statements": len(built.analysis.segments),
            "new_agencies": sorted(built.delta.voices.query("kind == 'agency'")["voice"])}


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
