"""Image quality figures: PSNR and SSIM from scikit-image; colourfulness, hue mix, fine detail, edge F-score, FID and KID by formula."""

from __future__ import annotations

import warnings

import cv2
import numpy as np

# scikit-image's metrics are imported where used: they pull in scipy.stats (0.7 s), which every command that
# imports a recipe (and so this module) would pay for at start-up, eval or not.


def psnr(truth: np.ndarray, test: np.ndarray) -> float:
    from skimage.metrics import peak_signal_noise_ratio

    return float(peak_signal_noise_ratio(truth, test, data_range=255))


def _ssim_window(shape: tuple[int, ...]) -> int | None:
    """scikit-image's 7-px window, shrunk (odd) to fit a small image; None under 3 px, where SSIM is undefined."""
    side = min(7, min(shape[:2]))
    return None if side < 3 else side - (1 - side % 2)


def ssim(truth: np.ndarray, test: np.ndarray) -> float:
    """SSIM of 0..255 images; NaN for images under 3 px a side (eval means skip NaN)."""
    win = _ssim_window(truth.shape)
    if win is None:
        return float("nan")
    from skimage.metrics import structural_similarity

    return float(structural_similarity(truth, test, win_size=win, data_range=255, channel_axis=2 if truth.ndim == 3 else None))


def colour_parts(rgb: np.ndarray) -> tuple[float, float]:
    """The two parts of Hasler & Suesstrunk's colourfulness on 0..255 RGB: the spread of the opponent colours
    (sigma_rgyb: colours that differ across the image) and the cast (mu_rgyb: how far the mean colour is from gray).
    A tint over everything raises the cast and leaves the spread low; both are 0 for gray."""
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(np.hypot(rg.std(), yb.std())), float(np.hypot(rg.mean(), yb.mean()))


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler & Suesstrunk (2003) colourfulness M = sigma_rgyb + 0.3 * mu_rgyb, on 0..255 RGB: 0 for gray."""
    spread, cast = colour_parts(rgb)
    return spread + 0.3 * cast


HUE_BINS = 12  # 30 degrees each in CIELAB's a*b* plane


def hue_histogram(rgb: np.ndarray, min_chroma: float = 5.0) -> np.ndarray:
    """Chroma-weighted histogram of hue (CIELAB a*b* angle, HUE_BINS bins from 0 degrees = +a*) over the pixels
    whose chroma is at least min_chroma, on 0..255 RGB; not normalised, so images can be summed into a set's."""
    lab = cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    a, b = lab[..., 1].ravel(), lab[..., 2].ravel()
    chroma = np.hypot(a, b)
    keep = chroma >= min_chroma
    hue = np.mod(np.degrees(np.arctan2(b[keep], a[keep])), 360.0)
    return np.histogram(hue, bins=HUE_BINS, range=(0.0, 360.0), weights=chroma[keep])[0].astype(np.float64)


def hue_distance(hist: np.ndarray, reference: np.ndarray) -> float:
    """Total variation distance between two hue histograms once normalised: 0 = the same mix of hues, 1 = none
    shared (also 1 when one side has no colour at all)."""
    if hist.sum() <= 0 or reference.sum() <= 0:
        return 1.0
    return float(0.5 * np.abs(hist / hist.sum() - reference / reference.sum()).sum())


def psnr_range(truth: np.ndarray, test: np.ndarray, data_range: float) -> float:
    """PSNR of float arrays (e.g. the Y channel) against a stated peak value."""
    from skimage.metrics import peak_signal_noise_ratio

    return float(peak_signal_noise_ratio(truth.astype(np.float64), test.astype(np.float64), data_range=data_range))


def ssim_range(truth: np.ndarray, test: np.ndarray, data_range: float) -> float:
    """SSIM of one-channel float arrays (e.g. the Y channel); NaN under 3 px a side."""
    win = _ssim_window(truth.shape)
    if win is None:
        return float("nan")
    from skimage.metrics import structural_similarity

    return float(structural_similarity(truth.astype(np.float64), test.astype(np.float64), win_size=win, data_range=data_range))


def detail(gray: np.ndarray) -> float:
    """Mean absolute Laplacian: how much fine texture an image holds (blur lowers it, noise raises it)."""
    return float(np.abs(cv2.Laplacian(np.asarray(gray, np.float32), cv2.CV_32F)).mean())


def edge_halo(truth: np.ndarray, test: np.ndarray, reach: int, flat: float = 2.0, edge: float = 128.0) -> float:
    """Ringing and halos: mean |test - truth| (gray levels) over pixels where the truth is flat (3x3 standard
    deviation below `flat`) within `reach` pixels of a strong edge (Sobel magnitude above `edge`, a step of about
    32 levels). NaN when the truth has no such pixels."""
    t = np.asarray(truth, np.float32)
    mean, square = cv2.blur(t, (3, 3)), cv2.blur(t * t, (3, 3))
    std = np.sqrt(np.maximum(square - mean * mean, 0))
    strong = np.hypot(cv2.Sobel(t, cv2.CV_32F, 1, 0), cv2.Sobel(t, cv2.CV_32F, 0, 1)) > edge
    near = cv2.dilate(strong.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1,) * 2)) > 0
    mask = near & ~strong & (std < flat)
    return float(np.abs(np.asarray(test, np.float32) - t)[mask].mean()) if mask.any() else float("nan")


def edge_f_score(found: np.ndarray, wanted: np.ndarray, tolerance: int = 2) -> float:
    """F-score of two line maps (boolean, True = line), each pixel matched within `tolerance` pixels (a disk), as
    edge benchmarks do: precision = share of `found` near a `wanted` line, recall = share of `wanted` near a `found`
    line. 1.0 when both are empty (nothing to find, nothing found), 0.0 when only one is."""
    found, wanted = np.asarray(found, bool), np.asarray(wanted, bool)
    if not found.any() or not wanted.any():
        return float(not found.any() and not wanted.any())
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * tolerance + 1,) * 2)
    near_wanted = cv2.dilate(wanted.astype(np.uint8), disk) > 0
    near_found = cv2.dilate(found.astype(np.uint8), disk) > 0
    precision, recall = float(near_wanted[found].mean()), float(near_found[wanted].mean())
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def means(rows: list[dict]) -> dict[str, float]:
    """The mean of every numeric column of per-image rows (file names and sizes left out; NaN entries skipped)."""
    def mean(values):
        finite = [v for v in values if not np.isnan(v)]
        return float(np.mean(finite)) if finite else float("nan")

    return {k: mean([r[k] for r in rows]) for k, v in rows[0].items() if isinstance(v, (int, float))}


def frechet_distance(feats_a: np.ndarray, feats_b: np.ndarray) -> float:
    """FID (Heusel et al. 2017) between two sets of features (N x D): Gaussians fitted to each, compared.

    With fewer samples than feature dimensions the covariances are singular; the matrix square root
    is still defined (tiny imaginary parts from rounding are dropped), but the figure is biased upward."""
    from scipy import linalg

    mu_a, mu_b = feats_a.mean(0), feats_b.mean(0)
    cov_a, cov_b = np.cov(feats_a, rowvar=False), np.cov(feats_b, rowvar=False)
    with warnings.catch_warnings():  # singular with few samples: expected, see the docstring
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(cov_a @ cov_b)
    if not np.isfinite(covmean).all():  # nearly singular product: the usual remedy, a small ridge
        ridge = np.eye(cov_a.shape[0]) * 1e-6
        covmean = linalg.sqrtm((cov_a + ridge) @ (cov_b + ridge))
    covmean = covmean.real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2.0 * np.trace(covmean))


def kernel_inception_distance(feats_a: np.ndarray, feats_b: np.ndarray, subsets: int = 100, subset_size: int = 1000,
                              seed: int = 0) -> tuple[float, float]:
    """KID (Bińkowski et al. 2018): the unbiased MMD² between two feature sets (N x D) with the cubic polynomial
    kernel k(x, y) = (x·y / D + 1)³, averaged over `subsets` random subsets of `subset_size` samples from each
    set; returns (mean, standard deviation over subsets). Unbiased: near 0, even below, for two samples of one
    distribution, with few samples too (unlike FID).
    When a set has no more than `subset_size` samples, the mean is the estimate over both whole sets and the
    spread is taken over subsets of half the smaller set: subsets of the whole set would all be the same and
    say nothing (a half-size subset varies about √2 times more than the whole set: the spread errs wide)."""
    a, b = np.asarray(feats_a, np.float64), np.asarray(feats_b, np.float64)
    if min(len(a), len(b)) < 2:
        raise ValueError("KID needs at least 2 samples in each set")
    rng, d = np.random.default_rng(seed), a.shape[1]

    def mmd(x: np.ndarray, y: np.ndarray) -> float:
        k_xx, k_yy, k_xy = ((x @ x.T) / d + 1) ** 3, ((y @ y.T) / d + 1) ** 3, ((x @ y.T) / d + 1) ** 3
        within = k_xx.sum() - np.trace(k_xx)
        return within / (len(x) * (len(x) - 1)) + (k_yy.sum() - np.trace(k_yy)) / (len(y) * (len(y) - 1)) - 2.0 * k_xy.mean()

    small = min(len(a), len(b)) <= subset_size
    m = max(2, min(len(a), len(b)) // 2) if small else subset_size
    values = [mmd(a[rng.choice(len(a), m, replace=False)], b[rng.choice(len(b), m, replace=False)]) for _ in range(subsets)]
    return float(mmd(a, b) if small else np.mean(values)), float(np.std(values))
