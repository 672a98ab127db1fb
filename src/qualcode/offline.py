"""Keep every library qualcode uses off the network and quiet about usage: data here concerns children."""

from __future__ import annotations

import os

# Forced, not defaulted: no setting in a user's shell may switch these back on.
FORCED = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # our own progress bars say what is happening
}


def enforce_offline() -> None:
    """Set the switches that stop Hugging Face, Prefect and friends from calling home."""
    os.environ.update(FORCED)
