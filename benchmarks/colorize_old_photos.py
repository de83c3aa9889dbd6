"""Colorize on gray inputs that look like old photos: grain, blur, faded contrast, JPEG, and all four at once.

The held-out photos are turned gray (as `gantools eval colorize` does), degraded, and coloured by the model.
Two figures per kind: the dB over the degraded gray input (the eval's measure; it shrinks whenever the
luminance itself is wrong, since that error stays in both), and the share of the photo's colour error (a*b*
against the truth, in Lab) that the model's colour removes (median over photos): the colour's own quality.

    python benchmarks/colorize_old_photos.py --data DIR/heldout [--model colorize] [--kinds clean grain blur fade jpeg all]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from colorize_frontier import photos  # noqa: E402

from gantools.files import weights  # noqa: E402
from gantools.files.imageio import Decoded  # noqa: E402
from gantools.metrics import image as metrics  # noqa: E402
from gantools.recipes.colorize.lab import rgb_to_lab  # noqa: E402

KINDS = ("clean", "grain", "blur", "fade", "jpeg", "all")


def degrade(gray: np.ndarray, rng: np.random.Generator, kind: str) -> np.ndarray:
    """One channel of uint8 gray -> an old photo's version: blur σ 1.2, contrast faded to 40 + 0.7 x, grain σ 8, JPEG q 50."""
    g = gray.astype(np.float32)
    if kind in ("blur", "all"):
        g = cv2.GaussianBlur(g, (0, 0), 1.2)
    if kind in ("fade", "all"):
        g = 40 + 0.7 * g
    if kind in ("grain", "all"):
        g = g + rng.normal(0, 8, g.shape)
    g = np.clip(np.round(g), 0, 255).astype(np.uint8)
    if kind in ("jpeg", "all"):
        g = cv2.imdecode(cv2.imencode(".jpg", g, [cv2.IMWRITE_JPEG_QUALITY, 50])[1], cv2.IMREAD_GRAYSCALE)
    return g


def ab(rgb: np.ndarray) -> np.ndarray:
    return rgb_to_lab(rgb.astype(np.float32) / 255.0)[..., 1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", default="colorize")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    args = parser.parse_args()
    loaded = weights.load(args.model, expect_recipe="colorize")
    predictor = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
    for kind in args.kinds:
        rng = np.random.default_rng(0)
        gains, removed, colour, colour_truth = [], [], 0.0, 0.0
        for truth, gray in photos(args.data, 1024):
            g = gray[..., 0] if kind == "clean" else degrade(gray[..., 0], rng, kind)
            out = predictor.predict(Decoded(np.ascontiguousarray(g))).pixels
            gray_rgb = np.repeat(g[..., None], 3, 2)
            gains.append(metrics.psnr(truth, out) - metrics.psnr(truth, gray_rgb))
            truth_ab = ab(truth)
            removed.append(1.0 - float(((ab(out) - truth_ab) ** 2).mean()) / max(float((truth_ab**2).mean()), 1e-6))
            colour, colour_truth = colour + metrics.colourfulness(out), colour_truth + metrics.colourfulness(truth)
        print(f"{kind:6s} {np.mean(gains):+.3f} dB over its gray input, better on {100 * np.mean(np.array(gains) > 0):.1f}%, "
              f"colourfulness {colour / colour_truth:.3f}x, colour error removed {100 * np.median(removed):.1f}% (median)", flush=True)


if __name__ == "__main__":
    main()
