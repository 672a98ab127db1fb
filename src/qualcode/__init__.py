"""qualcode: offline qualitative coding of interview and feedback text into traceable evidence.

Importing qualcode switches off network access and telemetry in the libraries it uses (see `offline`).
The notebook API (`open_project`, `code_texts`, `ProjectData`; see `qualcode.api`) loads on first use.
"""

from typing import Any

from qualcode.offline import enforce_offline

enforce_offline()
__version__ = "0.1.0"

from qualcode.models import ParsedFile, RawTurn, Segment, Source, SourceMeta, SpeakerMeta, Turn  # noqa: E402
from qualcode.project import Project, ProjectConfig, init_project  # noqa: E402
from qualcode.store import Store  # noqa: E402

_API = ("ProjectData", "code_texts", "open_project")


def __getattr__(name: str) -> Any:
    """Load the notebook API (and the models it needs) only when it is used, so the CLI starts fast."""
    if name in _API:
        from qualcode import api

        return getattr(api, name)
    raise AttributeError(f"module 'qualcode' has no attribute {name!r}")


__all__ = [
    "ParsedFile", "Project", "ProjectConfig", "ProjectData", "RawTurn", "Segment", "Source", "SourceMeta",
    "SpeakerMeta", "Store", "Turn", "__version__", "code_texts", "enforce_offline", "init_project", "open_project",
]
