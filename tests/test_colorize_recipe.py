"""The colorize recipe (work in progress: no bundled weights or folder command yet): Lab pairs,
training through the shared trainer, and a predictor that keeps size, bit depth, alpha and luminance."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image
from skimage import color

from gantools.files import weights
from gantools.cli.main import main
from gantools.files.imageio import Decoded
from gantools.recipes.colorize import lab_tensor_to_rgb, rgb_to_lab, rgb_to_lab_tensor


def test_lab_round_trip():
    rgb = np.random.default_rng(0).integers(0, 255, (9, 7, 3), dtype=np.uint8)
    lab = rgb_to_lab_tensor(rgb)
    assert lab.shape == (3, 9, 7) and lab.abs().max() <= 1.0
    assert np.abs(lab_tensor_to_rgb(lab) * 255 - rgb).max() < 1.0  # OpenCV's float Lab is good to ~0.6/255


def test_lab_matches_scikit_image():
    from skimage import color

    rgb = np.random.default_rng(1).random((16, 16, 3)).astype(np.float32)
    assert np.abs(rgb_to_lab(rgb) - color.rgb2lab(rgb)).max() < 0.5  # same CIE Lab (D65), in L/a/b units


@pytest.fixture
def colour_photos(tmp_path):
    root = tmp_path / "photos"
    root.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        img = np.zeros((80, 120, 3), np.uint8)
        img[:40] = (40, 90, 200)  # sky
        img[40:] = (60, 150, 50)  # grass
        img += rng.integers(0, 20, img.shape, dtype=np.uint8)
        Image.fromarray(img).save(root / f"p{i}.png")
    return root


@pytest.fixture
def colour_model(colour_photos, tmp_path):
    out = tmp_path / "run"
    args = ["train", "colorize", "--data", colour_photos, "--out", out, "--steps", 4, "--pretrain-steps", 2, "--batch-size", 4,
            "--size", 32, "--load-size", 48, "--photo-scales", "48,64", "--base", 8, "--depth", 2, "--d-base", 8, "--quiet"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return weights.load(out, expect_recipe="colorize")


def test_predictor_keeps_size_depth_alpha_and_luminance(colour_model):
    predictor = colour_model.recipe.predictor(colour_model.networks, torch.device("cpu"))
    rng = np.random.default_rng(1)
    rgb16 = rng.integers(0, 65535, (37, 23, 3), dtype=np.uint16)
    out = predictor.predict(Decoded(rgb16))
    assert out.pixels.shape == (37, 23, 3) and out.pixels.dtype == np.uint16
    L_in = color.rgb2lab(rgb16 / 65535.0)[..., 0]
    L_out = color.rgb2lab(out.pixels / 65535.0)[..., 0]
    # Colours outside sRGB get clipped, which can move L a little; the detail must stay the input's.
    assert np.median(np.abs(L_in - L_out)) < 1.0

    gray = rng.integers(0, 255, (5, 301), dtype=np.uint8)
    alpha = np.full((5, 301), 128, np.uint8)
    out = predictor.predict(Decoded(gray, alpha))
    assert out.pixels.shape == (5, 301, 3) and out.pixels.dtype == np.uint8 and out.alpha is alpha
    tiny = predictor.predict(Decoded(np.zeros((1, 1, 3), np.uint8)))
    assert tiny.pixels.shape == (1, 1, 3)
