"""The figures eval reports: colourfulness by the published formula, PSNR/SSIM through scikit-image."""

import numpy as np

from gantools import metrics


def test_colourfulness_is_zero_for_gray_and_grows_with_saturation():
    gray = np.repeat(np.random.default_rng(0).integers(0, 255, (32, 32, 1), dtype=np.uint8), 3, axis=2)
    assert metrics.colourfulness(gray) == 0.0
    pale = np.full((8, 8, 3), (140, 128, 120), np.uint8)
    vivid = np.full((8, 8, 3), (220, 60, 20), np.uint8)
    assert 0 < metrics.colourfulness(pale) < metrics.colourfulness(vivid)


def test_colourfulness_formula_by_hand():
    # Half red (255,0,0), half blue (0,0,255): rg = 255 | 0, yb = 127.5 | -255.
    img = np.zeros((2, 2, 3), np.uint8)
    img[0, :, 0] = 255
    img[1, :, 2] = 255
    sigma = np.hypot(127.5, 191.25)  # std of rg (255, 0) and of yb (127.5, -255)
    mu = np.hypot(127.5, -63.75)
    assert abs(metrics.colourfulness(img) - (sigma + 0.3 * mu)) < 1e-9


def test_psnr_and_ssim():
    a = np.random.default_rng(1).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    assert abs(metrics.ssim(a, a) - 1.0) < 1e-9
    b = np.clip(a.astype(int) + 5, 0, 255).astype(np.uint8)
    assert 30 < metrics.psnr(a, b) < 40 and metrics.ssim(a, b) < 1.0
