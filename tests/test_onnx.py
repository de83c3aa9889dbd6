"""ONNX export of every bundled model: onnxruntime agrees with PyTorch within 1e-3 at two sizes and batches, the
metadata describes the inputs, and colorize's graph (ONNX has no antialiased resize) equals its predictor."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from gantools.cli.main import main
from gantools.files import weights

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


@pytest.mark.parametrize("name", sorted(n for n in weights.bundled_names()))
def test_every_bundled_model_exports_and_agrees(tmp_path, name):
    path = tmp_path / f"{name}.onnx"
    result = CliRunner().invoke(main, ["export", name, "--onnx", str(path)])
    assert result.exit_code == 0, result.output
    diff = float(result.output.rsplit("PyTorch| ", 1)[1])
    assert diff < 1e-3
    meta = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert meta["recipe"] == weights.read_card(weights.resolve(name))["recipe"] and meta["opset"] == "17" and meta["inputs"]


def test_colorize_graph_equals_the_predictor(tmp_path):
    from gantools.files.onnx_export import export_onnx

    from gantools.infer import options

    loaded = weights.load("colorize")
    export_onnx(loaded, tmp_path / "c.onnx")
    options.apply(loaded.recipe, {"precision": "float32"})  # the graph is float32; "auto" may be bfloat16 on this CPU
    predictor = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
    L = torch.rand(1, 1, 256, 288) * 2 - 1
    want = predictor.forward(L).numpy()
    got = ort.InferenceSession(str(tmp_path / "c.onnx")).run(None, {"L": L.numpy()})[0]
    assert np.abs(got - want).max() < 1e-3


def test_a_model_without_a_predictor_is_refused_in_one_line(tmp_path):
    result = CliRunner().invoke(main, ["export", "nowhere/model", "--onnx", str(tmp_path / "x.onnx")])
    assert result.exit_code == 2 and "Traceback" not in result.output
