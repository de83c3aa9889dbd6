"""Colorize's accuracy-colour frontier: `gantools eval colorize`'s summary at several saturations from one forward pass.

Each photo is read, scaled, turned gray and coloured exactly as `gantools eval colorize` does (its prepare,
forward and finish); the decoded chroma is multiplied by each S in turn (what `--saturation S` does), so one
run gives the dB over gray, the share better than gray and the colourfulness ratio at every S, and, by linear
interpolation along them, the dB at a stated colourfulness (0.6x is issue 25's bar). The figures equal
`gantools eval colorize --saturation S`'s.

    python benchmarks/colorize_frontier.py --model RUN_OR_MODEL --data DIR/heldout [--saturation 1 1.2 1.4 1.6 1.8] [--at 0.5 0.6]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import torch

from gantools.data.folders import find_images
from gantools.files import weights
from gantools.files.imageio import Decoded, as_channels, read_image
from gantools.infer.predictor import Job
from gantools.metrics import image as metrics
from gantools.recipes.colorize.lab import gray_of


def photos(data: Path, max_side: int):
    """(truth, gray) per photo, scaled as the eval scales them."""
    for path in find_images(data):
        truth = as_channels(read_image(path), 3)
        h, w = truth.shape[:2]
        if max(h, w) > max_side:
            scale = max_side / max(h, w)
            truth = cv2.resize(truth, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        yield truth, gray_of(truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="colorize")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--saturation", type=float, nargs="+", default=[1.0, 1.2, 1.4, 1.6, 1.8])
    parser.add_argument("--at", type=float, nargs="+", default=[0.5, 0.6], help="colourfulness ratios to read the dB at")
    parser.add_argument("--max-side", type=int, default=1024)
    args = parser.parse_args()
    loaded = weights.load(args.model, expect_recipe="colorize")
    loaded.recipe.config.saturation = 1.0  # the chroma as predicted; each S is applied below
    predictor = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
    gains = {s: [] for s in args.saturation}
    colour = {s: 0.0 for s in args.saturation}
    colour_truth = 0.0
    for truth, gray in photos(args.data, args.max_side):
        job = predictor.prepare(Decoded(gray))
        output = predictor.forward(job.input[None])[0]
        gray_psnr, colour_truth = metrics.psnr(truth, gray), colour_truth + metrics.colourfulness(truth)
        decoded, lab, rh, rw = job.state
        for s in args.saturation:
            scaled = output.clone()
            scaled[:2] *= s
            coloured = predictor.finish(Job(job.input, (decoded, lab.copy(), rh, rw)), scaled).pixels  # finish writes into lab
            gains[s].append(metrics.psnr(truth, coloured) - gray_psnr)
            colour[s] += metrics.colourfulness(coloured)
    rows = [(s, float(np.mean(gains[s])), float(np.mean(np.array(gains[s]) > 0)), colour[s] / colour_truth) for s in args.saturation]
    print(f"{args.model} on {len(gains[args.saturation[0]])} photos of {args.data}")
    for s, db, better, ratio in rows:
        print(f"  saturation {s:g}: {db:+.3f} dB over gray, better than gray on {100 * better:.1f}%, colourfulness {ratio:.3f}x")
    order = np.argsort([r[3] for r in rows])
    ratios, dbs = [rows[i][3] for i in order], [rows[i][1] for i in order]
    for target in args.at:
        if ratios[0] <= target <= ratios[-1]:
            print(f"  at colourfulness {target:g}x: {np.interp(target, ratios, dbs):+.3f} dB over gray")
        else:
            print(f"  at colourfulness {target:g}x: outside the saturations' range ({ratios[0]:.3f}-{ratios[-1]:.3f}x)")


if __name__ == "__main__":
    main()
