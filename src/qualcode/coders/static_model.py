"""The fast embedding path: a static-embedding model distilled on this machine from a sentence-transformers one.

model2vec runs the installed model once over its own vocabulary (about 20 s on two cores) and keeps the
token vectors, weighted by word frequency; embedding a statement is then a lookup and a mean, not a transformer pass.
Nothing is downloaded: the source is the model on disk, and the result is kept in the user's cache so the
distillation happens once per model (per model's content: a model changed where it lies is distilled again).
It is wrapped as a sentence-transformers model, so the rest of qualcode (and BERTopic) loads it like any other.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from qualcode.coders.backends.transformer import model_folder_hash
from qualcode.coders.packaged import MODELS_ENV, models_dir
from qualcode.errors import ModelNotAvailable

__all__ = ["MODELS_ENV", "PCA_DIMS", "models_dir", "static_model_path"]

log = logging.getLogger(__name__)

PCA_DIMS: int | None = None  # PCA to fewer dimensions cost 0.04 macro F1 on the evaluation gold set


def static_model_path(source: str) -> Path:
    """The static model distilled from the sentence-transformers model at `source` (a local folder),
    distilling it first if this machine has not yet done so."""
    folder = Path(source)
    if not (folder / "config.json").is_file():
        raise ModelNotAvailable(f"The fast path distils from a model folder on disk; {source!r} is not one.")
    digest = model_folder_hash(folder)[:12]  # the model's content, not where it lies
    target = models_dir() / f"{folder.name}-static-{digest}"
    if (target / "modules.json").is_file():
        return target
    log.info("Distilling a static embedding model from %s (once; about 20 s)", folder.name)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".distilling-", dir=target.parent))
    try:
        _distil(folder, work / "model")
        if target.exists() and not (target / "modules.json").is_file():
            shutil.rmtree(target)  # not a model we wrote: renames are whole
        try:
            (work / "model").rename(target)  # whole or not at all: a killed distillation leaves no half model
        except OSError:
            if not (target / "modules.json").is_file():
                raise
            # another process (a Dask worker) finished first; its model is the same
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _distil(source: Path, out: Path) -> None:
    try:
        from model2vec.distill import distill
    except ImportError as exc:
        raise ModelNotAvailable(f"The fast embedding path needs model2vec's distill extra ({exc}).") from None
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    static = distill(model_name=str(source), pca_dims=PCA_DIMS, device="cpu")
    static.save_pretrained(str(out.parent / "model2vec"))
    module = StaticEmbedding.from_model2vec(str(out.parent / "model2vec"))
    SentenceTransformer(modules=[module], device="cpu").save(str(out))
