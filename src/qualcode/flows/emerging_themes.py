"""Emerging themes: BERTopic over the statements the codebook does not hold (qualcode themes DIR, as a flow).

Runs after coding, on the embeddings the coding cached: nothing is embedded again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from qualcode.flows.tasks import SEQUENTIAL
from qualcode.workspace import Workspace

FLOW_NAME = "emerging-themes"


@dataclass(frozen=True)
class ThemeCounts:
    """A themes run in counts (labels and quotes stay in outputs/themes/)."""

    themes: int
    considered: int  # statements no code holds above the confidence asked for
    embedded: int  # statements the model had to embed anew (0 once the corpus is coded)
    folder: str


@task(name="find-themes", cache_policy=NO_CACHE)
def find(project_dir: str, low_confidence: float | None, propose: bool) -> ThemeCounts:
    found = Workspace.open(project_dir).themes(low_confidence, propose=propose)
    counts = ThemeCounts(themes=len(found.emerging.themes), considered=len(found.emerging.members),
                         embedded=found.embedded, folder=str(found.folder))
    get_run_logger().info("Themes: %d among %d statements no code holds; %d embedded anew", counts.themes,
                          counts.considered, counts.embedded)
    return counts


@flow(name=FLOW_NAME, task_runner=SEQUENTIAL, log_prints=False)
def emerging_themes(project_dir: str, low_confidence: float | None = None, propose: bool = True) -> ThemeCounts:
    counts = find(project_dir, low_confidence, propose)
    rows = "\n".join(f"| {k} | {v} |" for k, v in asdict(counts).items() if k != "folder")
    create_markdown_artifact(f"# {FLOW_NAME}\n\n| | count |\n|---|---|\n{rows}", key=FLOW_NAME,
                             description="counts only: theme labels and quotes stay in outputs/themes/")
    return counts
