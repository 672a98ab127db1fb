"""Models built on this machine from an installed one (the static and int8 paths): each built once per source
model's content into the user's model cache, whole or not at all."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from qualcode.coders.backends.transformer import model_folder_hash
from qualcode.coders.packaged import models_dir
from qualcode.errors import ModelNotAvailable

log = logging.getLogger(__name__)


def built_model(source: str, kind: str, marker: str, build: Callable[[Path, Path], None], about: str) -> Path:
    """The folder `build(source folder, out folder)` makes from the sentence-transformers model at `source`, named
    by `kind` and the source's content hash (a model changed where it lies is built again). It is complete when it
    holds `marker`. Built in a temporary folder renamed into place, so a killed build leaves no half model and two
    processes racing both end with the same whole folder."""
    folder = Path(source)
    if not (folder / "config.json").is_file():
        raise ModelNotAvailable(f"The {kind} path is built from a model folder on disk; {source!r} is not one.")
    target = models_dir() / f"{folder.name}-{kind}-{model_folder_hash(folder)[:12]}"
    if (target / marker).is_file():
        return target
    log.info("Building the %s model from %s (once; %s)", kind, folder.name, about)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".building-{kind}-", dir=target.parent))
    try:
        build(folder, work / "model")
        if target.exists() and not (target / marker).is_file():
            shutil.rmtree(target)  # not a model we wrote: renames are whole
        try:
            (work / "model").rename(target)
        except OSError:
            if not (target / marker).is_file():
                raise
            # another process (a Dask worker) finished first; its model is the same
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target
