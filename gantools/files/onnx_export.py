"""ONNX export of any model with a predictor: what its `forward` computes (Predictor.onnx_graph), with dynamic
batch, height and width, the opset and the model card's input/output description in the file's metadata, and
a check against PyTorch in onnxruntime when it is installed (`pip install -e ".[onnx]"`).

Run it without gantools:
    import onnxruntime as ort, numpy as np
    session = ort.InferenceSession("superres-x4.onnx")
    out = session.run(None, {"image": rgb_nchw_float32 / 127.5 - 1})[0]    # see the metadata for each model
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import numpy as np
import torch

import gantools
from gantools.errors import UserError
from gantools.files.atomic import atomic_path

OPSET = 17
TOLERANCE = 1e-3


def _dynamic_axes(names: list[str], example: tuple[torch.Tensor, ...]) -> dict[str, dict[int, str]]:
    axes = {}
    for name, tensor in zip(names, example):
        axes[name] = {0: "batch", 2: "height", 3: "width"} if tensor.dim() == 4 else {0: "batch"}
    axes["output"] = {0: "batch", 2: "out_height", 3: "out_width"}
    return axes


def export_onnx(loaded, path: Path, opset: int = OPSET) -> dict:
    """Write `loaded`'s graph to `path` (atomically); returns what was written and, with onnxruntime, how far
    its outputs are from PyTorch's on the example input and on one of another size."""
    try:
        import onnx
    except ImportError:
        raise UserError('ONNX export needs the onnx package: pip install -e ".[onnx]"') from None
    predictor = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
    graph, example, names = predictor.onnx_graph()
    graph = graph.eval().to(memory_format=torch.contiguous_format)
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
        torch.onnx.export(graph, example, buffer, input_names=names, output_names=["output"],
                          dynamic_axes=_dynamic_axes(names, example), opset_version=opset, dynamo=False)
    model = onnx.load_from_string(buffer.getvalue())
    card = loaded.card
    meta = {"producer": f"gantools {gantools.__version__}", "recipe": card["recipe"], "opset": str(opset),
            "inputs": ", ".join(f"{n} {list(t.shape)} {str(t.dtype).removeprefix('torch.')}" for n, t in zip(names, example)),
            "input": str(card.get("input", "")), "output": str(card.get("output", "")),
            "predictor": (type(predictor).onnx_graph.__doc__ or "").strip(), "config": json.dumps(card.get("config", {}))}
    for key, value in meta.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    with atomic_path(path) as tmp:
        onnx.save(model, str(tmp))
    result = {"path": str(path), "opset": opset, "inputs": names, "bytes": Path(path).stat().st_size}
    result["max_abs_difference"] = _check(path, graph, example, names)
    return result


def _check(path: Path, graph: torch.nn.Module, example: tuple[torch.Tensor, ...], names: list[str]) -> float | None:
    """The largest |onnxruntime - PyTorch| over the example and a batch of 2 at another size; None without onnxruntime."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    other = tuple(_resized(t) for t in example)
    worst = 0.0
    with torch.no_grad():
        for inputs in (example, other):
            want = graph(*inputs).float().numpy()
            got = session.run(None, {n: t.numpy() for n, t in zip(names, inputs)})[0]
            if got.shape != want.shape:
                raise UserError(f"ONNX output shape {got.shape} differs from PyTorch's {want.shape}")
            worst = max(worst, float(np.abs(got - want).max()))
    return worst


def _resized(t: torch.Tensor) -> torch.Tensor:
    """A batch of 2 at a different height and width (kept multiples of 32 when the example's were)."""
    if t.dim() == 4:
        h, w = t.shape[2], t.shape[3]
        step = 32 if h % 32 == 0 and w % 32 == 0 else 4
        g = torch.Generator().manual_seed(0)
        return (torch.rand(2, t.shape[1], h + step, w + 2 * step, generator=g) * 2 - 1).to(t.dtype)
    if t.dtype == torch.long:
        return torch.zeros(2, dtype=torch.long) if t.dim() == 1 else t.repeat(2, *([1] * (t.dim() - 1)))[:2]
    return torch.randn(2, *t.shape[1:], generator=torch.Generator().manual_seed(0))
