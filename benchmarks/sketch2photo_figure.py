"""README picture for sketch2photo: rows of drawing | L1 alone | gantools | original on held-out photos; with
--marks N also the drawing with N colour marks | gantools reading them (--colour-marks).

Each photo is prepared as `gantools eval sketch2photo` prepares it (fitted onto a white square of the model's
render size, XDoG drawing without jitter; marks as `eval --marks N` paints them, seed 0), so the picture shows
what the eval's figures measure.

    python benchmarks/sketch2photo_figure.py --data DIR/heldout [--l1 runs/l1] [--model sketch2photo] [--marks 8] \
        --files a.jpg b.jpg --out assets/readme/sketch2photo-before-after.jpg
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from torchvision.utils import make_grid

import gantools
from gantools.data.folders import pad_square
from gantools.files.imageio import Decoded, as_channels, read_image
from gantools.files.imagewrite import write
from gantools.recipes.sketch2photo import colour_marks, drawing as sketch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of held-out photos")
    parser.add_argument("--l1", default=None, help="the generator trained with L1 alone (run folder or model): a column")
    parser.add_argument("--marks", type=int, default=0, help="also this many simulated colour marks, and the model reading them")
    parser.add_argument("--model", default="sketch2photo", help="the adversarially trained model")
    parser.add_argument("--files", nargs="+", required=True, help="file names under --data, one row each")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    l1 = gantools.load(args.l1, device="cpu") if args.l1 else None
    gan = gantools.load(args.model, device="cpu")
    marked_gan = gantools.load(args.model, device="cpu", colour_marks=True) if args.marks else None
    side = gan.recipe.config.render_size
    tiles, names = [], ["drawing"] + (["L1 alone"] if l1 else []) + ["gantools"] + (["with colour marks", "gantools"] if args.marks else []) + ["original"]
    for index, name in enumerate(args.files):
        truth = pad_square(as_channels(read_image(args.data / name), 3), side)
        drawing = sketch.xdog(truth)
        row = [np.dstack([drawing] * 3)] + ([l1(drawing)] if l1 else []) + [gan(drawing)]
        if args.marks:
            marked = colour_marks.paint_marks(drawing, truth, args.marks, np.random.default_rng([0, index, 1]))
            row += [marked, marked_gan(marked)]
        row.append(truth)
        tiles += [torch.from_numpy(np.ascontiguousarray(t[..., :3].transpose(2, 0, 1))) for t in row]
    grid = make_grid(tiles, nrow=len(names), padding=4, pad_value=255)
    write(Decoded(grid.numpy().transpose(1, 2, 0)), args.out)
    print(f"{args.out}: {len(args.files)} rows of {' | '.join(names)}, {side}x{side} each")


if __name__ == "__main__":
    main()
