"""README picture for translate: rows of selfie | anime (AtoB) | back (BtoA of the anime) on held-out faces.

The model runs as `gantools translate` runs it (its own max_side, output at the input's size), through the
Python API; the back column is the cycle the eval's cycle PSNR measures.

    python benchmarks/cyclegan_figure.py --data DIR/testA [--model selfie2anime] --files a.jpg b.jpg \
        --out assets/readme/selfie2anime.jpg [--side 192]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import torch
from torchvision.utils import make_grid

import gantools
from gantools.files.imageio import Decoded, as_channels, read_image
from gantools.files.imagewrite import write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of held-out selfies (DIR/testA)")
    parser.add_argument("--model", default="selfie2anime")
    parser.add_argument("--files", nargs="+", required=True, help="file names under --data, one row each")
    parser.add_argument("--side", type=int, default=192, help="each tile's side in the picture")
    parser.add_argument("--per-row", type=int, default=2, help="faces (selfie | anime | back triplets) per picture row")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    forward = gantools.load(args.model, device="cpu", direction="AtoB")
    backward = gantools.load(args.model, device="cpu", direction="BtoA")
    tiles = []
    for name in args.files:
        selfie = as_channels(read_image(args.data / name), 3)
        anime = forward(selfie)
        row = [selfie, anime, backward(anime)]
        for image in row:
            small = cv2.resize(np.ascontiguousarray(image[..., :3]), (args.side, args.side), interpolation=cv2.INTER_AREA)
            tiles.append(torch.from_numpy(small.transpose(2, 0, 1)))
    grid = make_grid(tiles, nrow=3 * args.per_row, padding=4, pad_value=255)
    write(Decoded(grid.numpy().transpose(1, 2, 0)), args.out)
    print(f"{args.out}: {len(args.files)} faces as selfie | anime | back, {args.side}x{args.side} each")


if __name__ == "__main__":
    main()
