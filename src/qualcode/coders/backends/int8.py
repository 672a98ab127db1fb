"""The `int8` backend: the model's transformer quantised to int8 and run by ONNX Runtime (built on this machine
from the installed weights, see `qualcode.coders.int8_model`), with the same tokenizer and mean pooling."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from qualcode.coders.backends.base import BaseEmbedder
from qualcode.coders.backends.transformer import resolve_model_path
from qualcode.fingerprint import hash_folder

INT8_MODEL_FILES = ("*.onnx", "*.json", "*.txt", "*.model")


class Int8Backend(BaseEmbedder):
    """ONNX Runtime on the int8 graph, one text per pass. Its activations are quantised with one scale per pass, so
    in a padded batch a text's vector would shift with its neighbours (cosine down to 0.990 on real sentences);
    alone, a statement's vector depends on its words only, so it is the same in every run and in the embedding
    cache, and no pass computes padding. Texts are tokenised on a thread, a chunk ahead of the passes (ONNX
    Runtime releases the GIL), so tokenising is off the critical path. `batch_size` is the tokeniser's chunk."""

    name = "int8"

    @cached_property
    def folder(self) -> Path:
        from qualcode.coders.int8_model import int8_model_path

        return int8_model_path(resolve_model_path(self.model))

    @cached_property
    def identity(self) -> str:
        return f"{self.name}:{hash_folder(self.folder, list(INT8_MODEL_FILES), ())}"

    @cached_property
    def settings(self) -> dict[str, Any]:
        from qualcode.coders.int8_model import SETTINGS_FILE

        return dict(json.loads((self.folder / SETTINGS_FILE).read_text(encoding="utf-8")))

    @cached_property
    def loaded(self) -> tuple[Any, Any]:
        """The inference session and the tokenizer (loaded on first use)."""
        import onnxruntime
        from transformers import AutoTokenizer

        from qualcode.coders.int8_model import INT8_FILE

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: its notes on graph rewrites are for its developers
        session = onnxruntime.InferenceSession(str(self.folder / INT8_FILE), options,
                                               providers=["CPUExecutionProvider"])
        return session, AutoTokenizer.from_pretrained(str(self.folder), local_files_only=True)

    @property
    def dimension(self) -> int:
        return int(self.settings["dimension"])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        session, _ = self.loaded
        for row, ids in enumerate(self._token_ids(texts)):
            hidden = session.run(None, {"input_ids": ids[None, :], "attention_mask": np.ones_like(ids)[None, :]})[0]
            pooled = hidden[0].mean(axis=0)  # mean pooling: every token is a real one, nothing is padding
            vectors[row] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return vectors

    def _token_ids(self, texts: Sequence[str]) -> Iterator[np.ndarray]:
        """Each text's token ids, in order; the next chunk is tokenised on a thread while this one runs."""
        _, tokenizer = self.loaded
        length, chunk = int(self.settings["max_seq_length"]), max(1, self.batch_size)

        def tokenise(start: int) -> list[list[int]]:
            return list(tokenizer(list(texts[start:start + chunk]), truncation=True, max_length=length)["input_ids"])

        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(tokenise, 0) if texts else None
            for start in range(0, len(texts), chunk):
                assert pending is not None
                ids = pending.result()
                if start + chunk < len(texts):
                    pending = pool.submit(tokenise, start + chunk)
                yield from (np.asarray(row, dtype=np.int64) for row in ids)
