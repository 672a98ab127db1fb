"""The int8 embedding path: the installed sentence-transformers model exported to ONNX and quantised on this machine.

torch's own exporter writes the transformer as an ONNX graph; onnxruntime's dynamic quantiser stores its matrix
weights as int8 (per output channel) and quantises each activation as it comes. One family of matrices stays in
float32: each layer's feed-forward down-projection (the matrices whose input is the intermediate width). Their
inputs, just after the GELU, carry a few very large values, and quantising them too cost all-mpnet-base-v2 its
meaning (mean cosine 0.87 with the full model on 200 real Ofsted sentences; without them 0.990, MiniLM 0.996).
Nothing is downloaded: the source is the model on disk, the result is kept in the user's model cache (built once
per model's content, about 10 s), and a killed build leaves no half model.
"""

from __future__ import annotations

import contextlib
import json
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qualcode.coders.built_models import built_model
from qualcode.errors import ModelNotAvailable

__all__ = ["INT8_FILE", "SETTINGS_FILE", "int8_model_path"]

INT8_FILE = "model-int8.onnx"
SETTINGS_FILE = "qualcode-int8.json"  # pooling, normalisation and sequence length, read by the backend
OPSET = 17


def int8_model_path(source: str) -> Path:
    """The int8 ONNX model built from the sentence-transformers model at `source` (a local folder), building it
    first if this machine has not yet done so."""
    return built_model(source, "int8", SETTINGS_FILE, _build, "about 10 s")


def _build(source: Path, out: Path) -> None:
    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise ModelNotAvailable(f"The int8 embedding path needs onnx and onnxruntime ({exc}).") from None
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    settings = _settings(model)
    out.mkdir(parents=True)
    full = out.parent / "model.onnx"
    with _quiet():
        _export(model, full)
        graph = onnx.load(str(full), load_external_data=False)
        transformer: Any = model[0].auto_model
        keep = _down_projections(graph, int(transformer.config.intermediate_size))
        quantize_dynamic(str(full), str(out / INT8_FILE), weight_type=QuantType.QInt8, per_channel=True,
                         nodes_to_exclude=keep)
    model.tokenizer.save_pretrained(str(out))
    (out / SETTINGS_FILE).write_text(json.dumps({**settings, "float32_matmuls": len(keep)}, indent=1),
                                     encoding="utf-8")


def _settings(model: Any) -> dict[str, Any]:
    """What the backend needs besides the graph: mean pooling is the only pooling it runs, so a model that
    pools otherwise is refused here rather than embedded wrongly."""
    modules = [type(module).__name__ for module in model]
    pooling = model[1] if len(model) > 1 else None
    if (modules[0] != "Transformer" or pooling is None or type(pooling).__name__ != "Pooling"
            or pooling.get_config_dict().get("pooling_mode") != "mean" or not set(modules[2:]) <= {"Normalize"}):
        raise ModelNotAvailable(f"The int8 path runs transformer models with mean pooling; this one is "
                                f"{' + '.join(modules)}.")
    return {"max_seq_length": int(model.max_seq_length), "pooling": "mean",
            "dimension": int(model.get_embedding_dimension())}


def _export(model: Any, path: Path) -> None:
    import torch

    class Hidden(torch.nn.Module):  # the token states only: pooling stays in numpy, where the mask is at hand
        def __init__(self, transformer: Any) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    example = model.tokenizer(["an example", "a second, longer example"], padding=True, return_tensors="pt")
    axes = {"batch": 0, "tokens": 1}
    dynamic = {name: {index: label for label, index in axes.items()}
               for name in ("input_ids", "attention_mask", "hidden")}
    with torch.no_grad():
        torch.onnx.export(Hidden(model[0].auto_model.eval()), (example["input_ids"], example["attention_mask"]),
                          str(path), input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                          dynamic_axes=dynamic, opset_version=OPSET, dynamo=False)


def _down_projections(graph: Any, intermediate: int) -> list[str]:
    """The MatMul nodes whose weight reads the intermediate width: the feed-forward down-projections."""
    shapes = {init.name: list(init.dims) for init in graph.graph.initializer}
    return [node.name for node in graph.graph.node if node.op_type == "MatMul"
            and any(len(shapes.get(i, [])) == 2 and shapes[i][0] == intermediate for i in node.input)]


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The exporter's tracer warnings and the quantiser's advice (logged on the root logger) are about graphs in
    general; the check that matters is the agreement benchmark (`benchmarks.encoders`)."""
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous)
