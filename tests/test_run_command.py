"""`gantools run MODEL IN OUT`: any model through the shared runner, with the options its recipe declares;
and models written before recipes named their networks still load."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file, save_file

from gantools.files import weights

CLI = [sys.executable, "-m", "gantools"]


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i, (h, w) in enumerate([(40, 56), (33, 47)]):
        Image.fromarray(rng.integers(0, 255, (h, w), dtype=np.uint8)).save(folder / f"{i}.png")
    return folder


def test_run_gives_the_same_pictures_as_the_named_command(photos, tmp_path):
    named = subprocess.run([*CLI, "colorize", str(photos), str(tmp_path / "a"), "--render-size", "32", "--quiet"], capture_output=True, text=True)
    generic = subprocess.run([*CLI, "run", "colorize", str(photos), str(tmp_path / "b"), "--render-size", "32", "--quiet"],
                             capture_output=True, text=True)
    assert named.returncode == 0 and generic.returncode == 0, named.stderr + generic.stderr
    for name in ("0.png", "1.png"):
        a, b = np.asarray(Image.open(tmp_path / "a" / name)), np.asarray(Image.open(tmp_path / "b" / name))
        assert a.shape[:2] == np.asarray(Image.open(photos / name)).shape[:2] and np.array_equal(a, b)


@pytest.mark.parametrize("args, message", [
    (["--tile", "64"], "--tile is not an inference option of a 'colorize' model (it takes: --render-size, --temperature, --saturation, --size-multiple, --video-smoothing, --precision)"),
    (["--render-size", "8"], "render_size must be between 16 and 4096"),
    (["--render-size", "100000"], "render_size must be between 16 and 4096, got 100000"),
])
def test_run_refuses_options_the_recipe_does_not_take(photos, tmp_path, args, message):
    done = subprocess.run([*CLI, "run", "colorize", str(photos), str(tmp_path / "o"), *args], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and message in done.stderr, done.stderr


def test_run_takes_the_options_of_each_recipe(photos, tmp_path):
    done = subprocess.run([*CLI, "run", "superres-x2", str(photos), str(tmp_path / "o"), "--tile", "16", "--tile-overlap", "4", "--quiet"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "o" / "0.png").size == (112, 80)


def test_a_model_from_before_named_networks_still_loads(tmp_path):
    """The single-generator format (tensors unprefixed, no 'networks' in the card) is read as network G."""
    bundled = weights.resolve("superres-x2")
    old = tmp_path / "old"
    old.mkdir()
    state = load_file(str(bundled))
    save_file({k.removeprefix("G."): v for k, v in state.items()}, str(old / "model.safetensors"))
    card = json.loads(bundled.with_name("model.json").read_text())
    card.pop("networks")
    (old / "model.json").write_text(json.dumps(card))
    a, b = weights.load(old), weights.load("superres-x2")
    assert list(a.networks) == ["G"]
    x = torch.rand(1, 3, 12, 12) * 2 - 1
    assert torch.equal(a.generator(x), b.generator(x))


@pytest.mark.parametrize("model, channels, side", [("colorize", 1, 128), ("superres-x2", 3, 48), ("sketch2photo", 1, 64)])
def test_predictors_run_channels_last_with_the_same_outputs(model, channels, side):
    """Predictors put their networks in channels_last (faster with oneDNN): outputs as the default format's, to 1e-5."""
    import copy

    loaded = weights.load(model)
    if "precision" in loaded.recipe.inference_options:  # float32 on every CPU: bfloat16 rounds differently per format
        loaded.recipe.config = replace(loaded.recipe.config, precision="float32")
    x = torch.rand(2, channels, side, side) * 2 - 1
    predictor = loaded.recipe.predictor(loaded.networks, "cpu")
    plain_class = type("Plain", (type(predictor),), {"channels_last": False})
    plain = plain_class(loaded.recipe, copy.deepcopy(loaded.networks), "cpu")
    convs = [m.weight for net in predictor.networks.values() for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(w.is_contiguous(memory_format=torch.channels_last) for w in convs)
    if model == "superres-x2":  # its forward tiles numpy images; compare the network itself
        with torch.inference_mode():
            fast, slow = predictor.generator(x), plain.generator(x)
    else:
        fast, slow = predictor.forward(x), plain.forward(x)
    assert (fast - slow).abs().max() < 1e-5
