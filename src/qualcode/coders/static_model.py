"""The fast embedding path: a static-embedding model distilled on this machine from a sentence-transformers one.

model2vec runs the installed model once over its own vocabulary (about 20 s on two cores) and keeps the
token vectors, weighted by word frequency; embedding a statement is then a lookup and a mean, not a transformer pass.
Nothing is downloaded: the source is the model on disk, and the result is kept in the user's cache so the
distillation happens once per model (per model's content: a model changed where it lies is distilled again).
It is wrapped as a sentence-transformers model, so the rest of qualcode (and BERTopic) loads it like any other.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.coders.built_models import built_model
from qualcode.coders.packaged import MODELS_ENV, models_dir
from qualcode.errors import ModelNotAvailable

__all__ = ["MODELS_ENV", "PCA_DIMS", "models_dir", "static_model_path"]

PCA_DIMS: int | None = None  # PCA to fewer dimensions cost 0.04 macro F1 on the evaluation gold set


def static_model_path(source: str) -> Path:
    """The static model distilled from the sentence-transformers model at `source` (a local folder),
    distilling it first if this machine has not yet done so."""
    return built_model(source, "static", "modules.json", _distil, "about 20 s")


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
