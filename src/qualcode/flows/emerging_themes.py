"""Emerging themes: BERTopic over the statements the codebook does not hold (qualcode themes DIR, as a flow).

Runs after coding, on the embeddings the coding cached: nothing is embedded again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from qualcode.flows.tasks import SEQUENTIAL
from qualcode.project import Project
from qualcode.themes.project_themes import project_themes

FLOW_NAME = "emerging-themes"


@task(name="find-themes", cache_policy=NO_CACHE)
def find(project_dir: str, low_confidence: float, propose: bool) -> dict[str, Any]:
    found = project_themes(Project.open(Path(project_dir)), low_confidence, propose=propose)
    counts = {"themes": len(found.emerging.themes), "statements considered": len(found.emerging.members),
              "statements embedded anew": found.embedded, "folder": str(found.folder)}
    get_run_logger().info("Themes: %(themes)d among %(statements considered)d statements no code holds; "
                          "%(statements embedded anew)d embedded anew", counts)
    return counts


@flow(name=FLOW_NAME, task_runner=SEQUENTIAL, log_prints=False)
def emerging_themes(project_dir: str, low_confidence: float = 0.5, propose: bool = True) -> dict[str, Any]:
    counts = find(project_dir, low_confidence, propose)
    rows = "\n".join(f"| {k} | {v} |" for k, v in counts.items() if k != "folder")
    create_markdown_artifact(f"# {FLOW_NAME}\n\n| | count |\n|---|---|\n{rows}", key=FLOW_NAME,
                             description="counts only: theme labels and quotes stay in outputs/themes/")
    return counts
