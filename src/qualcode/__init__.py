"""qualcode: offline qualitative coding of interview and feedback text into traceable evidence.

Importing qualcode switches off network access and telemetry in the libraries it uses, and in a process
started by a qualcode process it installs the network guard again (see `offline`). Everything else loads on
first use, so a helper process (Prefect's API server, a Dask worker) starts fast: the data model and project
(`Project`, `Store`, `Segment`...), the service layer (`Workspace`), and the notebook API (`open_project`,
`code_texts`; see `qualcode.api`), which locks the notebook's process down too.
"""

from typing import TYPE_CHECKING

from qualcode.lazy import lazy_attributes
from qualcode.offline import enforce_offline

enforce_offline()
__version__ = "0.1.0"

_LAZY = {
    **dict.fromkeys(("ParsedFile", "RawTurn", "Segment", "Source", "SourceMeta", "SpeakerMeta", "Turn"),
                    "qualcode.models"),
    **dict.fromkeys(("Project", "ProjectConfig", "init_project"), "qualcode.project"),
    "Store": "qualcode.store",
    **dict.fromkeys(("code_texts", "open_project"), "qualcode.api"),
    "Workspace": "qualcode.workspace",
}

if TYPE_CHECKING:
    from qualcode.api import code_texts, open_project
    from qualcode.models import ParsedFile, RawTurn, Segment, Source, SourceMeta, SpeakerMeta, Turn
    from qualcode.project import Project, ProjectConfig, init_project
    from qualcode.store import Store
    from qualcode.workspace import Workspace


__getattr__ = lazy_attributes(__name__, _LAZY)

__all__ = [
    "ParsedFile", "Project", "ProjectConfig", "RawTurn", "Segment", "Source", "SourceMeta", "SpeakerMeta", "Store",
    "Turn", "Workspace", "__version__", "code_texts", "enforce_offline", "init_project", "open_project",
]
