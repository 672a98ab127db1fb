"""The `int8` backend: the model's transformer quantised to int8 and run by ONNX Runtime (built on this machine
from the installed weights, see `qualcode.coders.int8_model`), with the same tokenizer and mean pooling."""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from qualcode.coders.backends.base import BaseEmbedder
from qualcode.coders.backends.transformer import resolve_model_path
from qualcode.cores import usable_cores
from qualcode.fingerprint import hash_folder

INT8_MODEL_FILES = ("*.onnx", "*.json", "*.txt", "*.model")


class Int8Backend(BaseEmbedder):
    """ONNX Runtime on the int8 graph, one text per pass. Its activations are quantised with one scale per pass, so
    in a padded batch a text's vector would shift with its neighbours (cosine down to 0.990 on real sentences);
    alone, a statement's vector depends on its words only, so it is the same in every run and in the embedding
    cache, and no pass computes padding. A pass over one sentence is too small to share between cores (ONNX
    Runtime's own threads spent 11 s of CPU for 5.6 s of passes, on 2 cores), so each core runs its own
    single-threaded session over every n-th text: 1.4x the throughput on 2 cores. `batch_size` is the tokeniser's
    chunk."""

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
    def loaded(self) -> tuple[list[Any], Any]:
        """One single-threaded inference session per core, and the tokenizer (loaded on first use)."""
        import onnxruntime
        from transformers import AutoTokenizer

        from qualcode.coders.int8_model import INT8_FILE

        def session() -> Any:
            options = onnxruntime.SessionOptions()
            options.log_severity_level = 3  # errors only: its notes on graph rewrites are for its developers
            options.intra_op_num_threads = options.inter_op_num_threads = 1
            return onnxruntime.InferenceSession(str(self.folder / INT8_FILE), options,
                                                providers=["CPUExecutionProvider"])

        return ([session() for _ in range(usable_cores())],
                AutoTokenizer.from_pretrained(str(self.folder), local_files_only=True))

    @property
    def dimension(self) -> int:
        return int(self.settings["dimension"])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        sessions, _ = self.loaded
        ids = self._token_ids(texts)

        def run(lane: int) -> None:
            session = sessions[lane]
            for row in range(lane, len(ids), len(sessions)):
                tokens = ids[row][None, :]
                hidden = session.run(None, {"input_ids": tokens, "attention_mask": np.ones_like(tokens)})[0]
                pooled = hidden[0].mean(axis=0)  # mean pooling: every token is a real one, nothing is padding
                vectors[row] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)

        lanes = min(len(sessions), len(ids))
        if lanes <= 1:
            run(0)
        else:  # ONNX Runtime releases the GIL during a pass
            with ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="qualcode-int8") as pool:
                list(pool.map(run, range(lanes)))
        return vectors

    def _token_ids(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Each text's token ids, in order (a fast tokenizer, a chunk at a time)."""
        _, tokenizer = self.loaded
        length, chunk = int(self.settings["max_seq_length"]), max(1, self.batch_size)
        return [np.asarray(row, dtype=np.int64)
                for start in range(0, len(texts), chunk)
                for row in tokenizer(list(texts[start:start + chunk]), truncation=True, max_length=length)["input_ids"]]
