"""qualcode: offline qualitative coding of interview and feedback text into traceable evidence.

Importing qualcode switches off network access and telemetry in the libraries it uses (see `offline`).
"""

from qualcode.offline import enforce_offline

enforce_offline()

from qualcode.models import ParsedFile, RawTurn, Segment, Source, SourceMeta, SpeakerMeta, Turn  # noqa: E402
from qualcode.project import Project, ProjectConfig, init_project  # noqa: E402
from qualcode.store import Store  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "ParsedFile", "Project", "ProjectConfig", "RawTurn", "Segment", "Source", "SourceMeta", "SpeakerMeta",
    "Store", "Turn", "__version__", "enforce_offline", "init_project",
]
