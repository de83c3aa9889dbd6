"""The figures eval reports: colourfulness by the published formula, PSNR/SSIM through scikit-image."""

import numpy as np
import pytest

from gantools.metrics import image as metrics


def test_colourfulness_is_zero_for_gray_and_grows_with_saturation():
    gray = np.repeat(np.random.default_rng(0).integers(0, 255, (32, 32, 1), dtype=np.uint8), 3, axis=2)
    assert metrics.colourfulness(gray) == 0.0
    pale = np.full((8, 8, 3), (140, 128, 120), np.uint8)
    vivid = np.full((8, 8, 3), (220, 60, 20), np.uint8)
    assert 0 < metrics.colourfulness(pale) < metrics.colourfulness(vivid)


def test_a_tint_is_cast_not_spread_and_the_parts_make_colourfulness():
    rng = np.random.default_rng(0)
    varied = rng.integers(0, 256, (32, 32, 3)).astype(np.uint8)
    tinted = np.zeros((32, 32, 3), np.uint8) + np.array([180, 140, 100], np.uint8)  # one brown everywhere
    spread, cast = metrics.colour_parts(tinted)
    assert spread == 0.0 and cast > 40
    spread, cast = metrics.colour_parts(varied)
    assert spread > 50 and cast < spread / 5
    assert abs(metrics.colourfulness(varied) - (spread + 0.3 * cast)) < 1e-9


def test_hue_histogram_tells_a_brown_tint_from_a_photo_mix_of_hues():
    brown = np.full((16, 16, 3), (150, 110, 70), np.uint8)
    mix = np.zeros((16, 16, 3), np.uint8)
    mix[:8] = (60, 110, 200)  # sky blue
    mix[8:] = (70, 140, 60)   # grass green
    gray = np.full((16, 16, 3), 128, np.uint8)
    h_brown, h_mix = metrics.hue_histogram(brown), metrics.hue_histogram(mix)
    assert h_brown.shape == (metrics.HUE_BINS,) and np.count_nonzero(h_brown) == 1  # one hue, one bin
    assert np.count_nonzero(h_mix) == 2
    assert metrics.hue_distance(h_mix, h_mix) == 0.0
    assert metrics.hue_distance(h_brown, h_mix) == 1.0  # no hue shared
    assert metrics.hue_histogram(gray).sum() == 0 and metrics.hue_distance(metrics.hue_histogram(gray), h_mix) == 1.0
    half = metrics.hue_histogram(np.concatenate([brown, mix]))  # the sum over images is the set's histogram
    assert np.allclose(half, h_brown + h_mix)
    # Chroma-weighted: the set is off from the mix by exactly the brown's share of the chroma.
    assert abs(metrics.hue_distance(half, h_mix) - h_brown.sum() / half.sum()) < 1e-12


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


def test_ssim_fits_its_window_to_small_images_and_is_nan_below_three_pixels():
    rng = np.random.default_rng(2)
    for shape in ((3, 900, 3), (5, 6), (6, 40, 3)):  # under scikit-image's 7-px window
        a = rng.integers(0, 255, shape, dtype=np.uint8)
        assert abs(metrics.ssim(a, a) - 1.0) < 1e-9 and metrics.ssim(a, 255 - a) < 0.5
        assert abs(metrics.ssim_range(a[..., 0] if a.ndim == 3 else a, a[..., 0] if a.ndim == 3 else a, 255) - 1.0) < 1e-9
    dot = rng.integers(0, 255, (1, 1, 3), dtype=np.uint8)
    assert np.isnan(metrics.ssim(dot, dot)) and np.isnan(metrics.ssim_range(dot[..., 0], dot[..., 0], 255))
    assert metrics.means([{"ssim": float("nan")}, {"ssim": 0.5}])["ssim"] == 0.5


def test_frechet_distance_of_gaussians_matches_the_closed_form():
    rng = np.random.default_rng(0)
    a = rng.normal(0.0, 1.0, (4000, 4))
    b = rng.normal(0.5, 2.0, (4000, 4))
    # N(0, I) vs N(0.5, 4I) in 4-D: |mu|^2 + tr(I + 4I - 2 * 2I) = 4 * 0.25 + 4 * 1 = 5.
    assert abs(metrics.frechet_distance(a, b) - 5.0) < 0.3
    assert abs(metrics.frechet_distance(a, a)) < 1e-6


def test_frechet_distance_with_fewer_samples_than_dimensions_is_finite():
    rng = np.random.default_rng(1)
    fid = metrics.frechet_distance(rng.normal(size=(10, 64)), rng.normal(size=(10, 64)))
    assert np.isfinite(fid) and fid > 0


def test_detail_is_lower_for_blurred_images():
    import cv2

    noise = np.random.default_rng(2).integers(0, 255, (64, 64)).astype(np.float32)
    assert metrics.detail(cv2.GaussianBlur(noise, (0, 0), 2)) < 0.5 * metrics.detail(noise)
    assert metrics.detail(np.full((8, 8), 7.0)) == 0.0


def test_edge_halo_sees_ringing_beside_an_edge_and_not_elsewhere():
    truth = np.zeros((64, 64), np.float32)
    truth[:, 32:] = 200.0  # one strong vertical edge between flat halves
    ringing = truth.copy()
    ringing[:, 28:31] -= 12.0  # an undershoot band beside the edge, in the flat part
    far = truth.copy()
    far[:, 2:5] += 12.0  # the same error far from any edge
    assert metrics.edge_halo(truth, truth, reach=8) == 0.0
    assert metrics.edge_halo(truth, ringing, reach=8) > 2.0  # 3 of the ~15 flat columns within reach are off by 12
    assert metrics.edge_halo(truth, far, reach=8) == 0.0
    assert np.isnan(metrics.edge_halo(np.full((16, 16), 50.0), np.zeros((16, 16)), reach=4))
    assert metrics.means([{"a": 1.0}, {"a": float("nan")}, {"a": 3.0}]) == {"a": 2.0}


def test_kid_matches_a_hand_computed_value_and_is_unbiased():
    x = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    y = np.array([[2.0, 1.0], [0.0, 0.0], [1.0, 3.0]])
    k = lambda p, q: (np.dot(p, q) / 2 + 1) ** 3  # noqa: E731
    pairs = [(i, j) for i in range(3) for j in range(3) if i != j]
    by_hand = (sum(k(x[i], x[j]) for i, j in pairs) / 6 + sum(k(y[i], y[j]) for i, j in pairs) / 6
               - 2 * sum(k(x[i], y[j]) for i in range(3) for j in range(3)) / 9)
    mean, std = metrics.kernel_inception_distance(x, y, subsets=3)
    assert mean == pytest.approx(by_hand)  # fewer samples than a subset: the whole sets
    rng = np.random.default_rng(0)
    same = metrics.kernel_inception_distance(rng.normal(size=(200, 16)), rng.normal(size=(200, 16)), subsets=20, subset_size=100)
    moved = metrics.kernel_inception_distance(rng.normal(size=(200, 16)), rng.normal(0.5, 1, size=(200, 16)), subsets=20, subset_size=100)
    assert abs(same[0]) < 3 * same[1] + 1e-3 and moved[0] > 10 * max(abs(same[0]), same[1])
    # Fewer samples than the subset size: the spread comes from half-size subsets, so it is not zero.
    small = metrics.kernel_inception_distance(rng.normal(size=(60, 16)), rng.normal(size=(80, 16)), subsets=20)
    assert small[1] > 0 and abs(small[0]) < 3 * small[1]


def test_edge_f_score_matches_lines_within_the_tolerance():
    lines = np.zeros((40, 40), bool)
    lines[20, 5:35] = True  # one horizontal line
    assert metrics.edge_f_score(lines, lines) == 1.0
    assert metrics.edge_f_score(np.roll(lines, 2, axis=0), lines, tolerance=2) == 1.0  # 2 px off: still a match
    assert metrics.edge_f_score(np.roll(lines, 6, axis=0), lines, tolerance=2) == 0.0
    half = lines.copy()
    half[20, 20:] = False  # found half of the line, nothing wrong: precision 1, recall about 1/2
    assert 0.6 < metrics.edge_f_score(half, lines, tolerance=1) < 0.75
    assert metrics.edge_f_score(np.zeros_like(lines), np.zeros_like(lines)) == 1.0
    assert metrics.edge_f_score(np.zeros_like(lines), lines) == 0.0
