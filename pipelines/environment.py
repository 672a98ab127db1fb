"""Where Prefect keeps its state: under the project folder, with telemetry off. Set before Prefect is imported."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PREFECT_DIR = ".prefect"


def prefect_environment(project_root: Path) -> dict[str, str]:
    home = (Path(project_root) / PREFECT_DIR).resolve()
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_EXTRA_LOGGERS": "qualcode",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",  # task results hold statements: never written to disk
        "PREFECT_UI_SHOW_PROMOTIONAL_CONTENT": "false",
    }


def use_project_prefect(project_root: Path) -> None:
    """Point Prefect at the project. Prefect reads its settings once, on import, so this must come first."""
    wanted = prefect_environment(project_root)
    if "prefect" in sys.modules and os.environ.get("PREFECT_HOME") != wanted["PREFECT_HOME"]:
        raise RuntimeError("Prefect was imported before its home was set; call use_project_prefect first.")
    os.environ.update(wanted)
