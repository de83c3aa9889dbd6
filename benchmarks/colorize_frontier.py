"""Colorize's accuracy-colour frontier: `gantools eval colorize`'s summary at several saturations from one forward pass.

Each photo is read, scaled, turned gray and coloured exactly as `gantools eval colorize` does (its prepare,
forward and finish); the decoded chroma is multiplied by each S in turn (what `--saturation S` does), so one
run gives the dB over gray, the share better than gray and the colourfulness ratio at every S, and, by linear
interpolation along them, the dB at a stated colourfulness (0.6x is issue 25's bar). The figures equal
`gantools eval colorize --saturation S`'s.

With several models, or --flip, the colour distributions (softmax of logits / T) of every model, and of the
mirrored photo, are averaged before the annealed mean: a diagnostic of whether the curve is limited by one
model's variance (an ensemble lifts it) or by what the gray photo tells (it does not). The first model's
temperature and working size are used for all.

    python benchmarks/colorize_frontier.py --model RUN_OR_MODEL [MORE ...] --data DIR/heldout [--flip] [--saturation 1 1.2 1.4 1.6 1.8] [--at 0.5 0.6] [--render-size N]
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


def averaged_output(members, predictor, inputs: torch.Tensor, flip: bool) -> torch.Tensor:
    """The predictor's forward output, with the colour distributions averaged over models (and mirrored inputs)."""
    temperature, centres = predictor.recipe.config.temperature, predictor.generator.ab_bins
    total = 0.0
    with torch.inference_mode():
        for loaded in members:
            for mirrored in (False, True) if flip else (False,):
                x = inputs.flip(-1) if mirrored else inputs
                z = loaded.recipe.logits(loaded.networks, x).float()
                total = total + torch.softmax((z.flip(-1) if mirrored else z) / temperature, 1)
        probs = total / (len(members) * (2 if flip else 1))
        ab = torch.einsum("nqhw,qc->nchw", probs, centres)
        ab = torch.nn.functional.interpolate(predictor.recipe.shown_ab(ab), size=inputs.shape[-2:], mode="bilinear", align_corners=False)
    return torch.cat([ab, torch.zeros_like(ab[:, :1])], 1)  # confidence unused here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", nargs="+", default=["colorize"], help="one model, or several to average")
    parser.add_argument("--flip", action="store_true", help="also average each model's view of the mirrored photo")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--saturation", type=float, nargs="+", default=[1.0, 1.2, 1.4, 1.6, 1.8])
    parser.add_argument("--at", type=float, nargs="+", default=[0.5, 0.6], help="colourfulness ratios to read the dB at")
    parser.add_argument("--max-side", type=int, default=1024)
    parser.add_argument("--render-size", type=int, help="the working size's shorter side (the model's own by default)")
    args = parser.parse_args()
    members = [weights.load(model, expect_recipe="colorize") for model in args.model]
    for loaded in members:
        loaded.recipe.config.saturation = 1.0  # the chroma as predicted; each S is applied below
        loaded.recipe.config.render_size = args.render_size or loaded.recipe.config.render_size
    predictor = members[0].recipe.predictor(members[0].networks, torch.device("cpu"))
    plain = len(members) == 1 and not args.flip
    gains = {s: [] for s in args.saturation}
    colour = {s: 0.0 for s in args.saturation}
    colour_truth = 0.0
    for truth, gray in photos(args.data, args.max_side):
        job = predictor.prepare(Decoded(gray))
        output = (predictor.forward(job.input[None]) if plain else averaged_output(members, predictor, job.input[None], args.flip))[0]
        gray_psnr, colour_truth = metrics.psnr(truth, gray), colour_truth + metrics.colourfulness(truth)
        decoded, lab, rh, rw = job.state
        for s in args.saturation:
            scaled = output.clone()
            scaled[:2] *= s
            coloured = predictor.finish(Job(job.input, (decoded, lab.copy(), rh, rw)), scaled).pixels  # finish writes into lab
            gains[s].append(metrics.psnr(truth, coloured) - gray_psnr)
            colour[s] += metrics.colourfulness(coloured)
    rows = [(s, float(np.mean(gains[s])), float(np.mean(np.array(gains[s]) > 0)), colour[s] / colour_truth) for s in args.saturation]
    print(f"{' + '.join(args.model)}{' (and mirrored)' if args.flip else ''} on {len(gains[args.saturation[0]])} photos of {args.data}")
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
