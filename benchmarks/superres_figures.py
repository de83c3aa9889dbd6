"""The README's two upscale pictures, from bundled (or given) models on images they never trained on.

1. Set5 butterfly x4, a crop: bicubic | psnr | gan | original (inputs: the set's own LR file).
2. A real web JPEG (a held-out ImageNet sample photo, as downloaded: its own JPEG blocks and noise), x4, a
   crop: the input (pixels enlarged) | psnr | real.

    python benchmarks/superres_figures.py --set5 ../shared/data/sr/Set5 [--jpeg FILE.JPEG] --out assets/readme \
        [--psnr superres-x4] [--gan superres-x4-gan] [--real superres-x4-real] [--crop X,Y,SIZE]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import torch

from gantools.files import weights
from gantools.files.imageio import as_channels, read_image
from gantools.recipes.superres.degrade import bicubic_resize


def upscale(model: str, rgb: np.ndarray) -> np.ndarray:
    loaded = weights.load(model, expect_recipe="superres")
    return loaded.recipe.predictor(loaded.networks, torch.device("cpu")).upscale(rgb)


def strip(images: list[np.ndarray], gap: int = 6) -> np.ndarray:
    h = images[0].shape[0]
    parts = []
    for img in images:
        parts += [img, np.full((h, gap, 3), 255, np.uint8)]
    return np.concatenate(parts[:-1], axis=1)


def save(path: Path, rgb: np.ndarray) -> None:
    ok = cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok, path
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set5", type=Path, required=True)
    parser.add_argument("--jpeg", type=Path, default=None, help="the real JPEG for figure 2 (left out: figure 1 only)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--psnr", default="superres-x4")
    parser.add_argument("--gan", default="superres-x4-gan")
    parser.add_argument("--real", default="superres-x4-real")
    parser.add_argument("--crop", default="", help="X,Y,SIZE of the JPEG figure's crop, in input pixels (default: the centre)")
    args = parser.parse_args()
    hr = as_channels(read_image(args.set5 / "img_003_SRF_4_HR.png"), 3)
    lr = as_channels(read_image(args.set5 / "img_003_SRF_4_LR.png"), 3)
    hr = hr[: lr.shape[0] * 4, : lr.shape[1] * 4]
    y, x, side = 64, 64, 160
    views = [bicubic_resize(lr, hr.shape[1], hr.shape[0]), upscale(args.psnr, lr), upscale(args.gan, lr), hr]
    save(args.out / "superres-before-after.jpg", strip([v[y : y + side, x : x + side] for v in views]))

    if args.jpeg is None:
        return
    photo = as_channels(read_image(args.jpeg), 3)
    if args.crop:
        cx, cy, cs = (int(v) for v in args.crop.split(","))
    else:
        cs = min(photo.shape[:2]) // 3
        cx, cy = (photo.shape[1] - cs) // 2, (photo.shape[0] - cs) // 2
    enlarged = cv2.resize(photo, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
    views = [enlarged, upscale(args.psnr, photo), upscale(args.real, photo)]  # whole photos: no crop borders
    save(args.out / "superres-real-jpeg.jpg", strip([v[cy * 4 : (cy + cs) * 4, cx * 4 : (cx + cs) * 4] for v in views]))


if __name__ == "__main__":
    main()
