"""README picture for colorize: rows of gray | gantools colorize | original, the strips `gantools eval colorize
--examples PICS` writes for held-out photos, each scaled to one width and stacked.

    gantools eval colorize --data DIR/heldout --examples PICS
    python benchmarks/colorize_figure.py --examples PICS --files NAME.jpg ... --out assets/readme/colorize-before-after.jpg

The second picture, the README's main job on the bundled samples, side by side at one height:

    gantools colorize assets/samples/ colored/
    python benchmarks/colorize_figure.py --examples colored --files camera.png coins.png coffee-gray.jpg \
        --across 300 --out assets/readme/colorize-samples.jpg
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from gantools.files.imageio import Decoded, as_channels, read_image
from gantools.files.imagewrite import write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, required=True, help="the --examples folder of eval colorize")
    parser.add_argument("--files", nargs="+", required=True, help="image names in it, in order: one row each (or one column each with --across)")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--across", type=int, default=0, help="side by side at this height instead of stacked at --width")
    parser.add_argument("--gap", type=int, default=6, help="white pixels between the images")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    parts = []
    for name in args.files:
        image = as_channels(read_image(args.examples / name), 3)
        h, w = image.shape[:2]
        if args.across:
            parts.append(cv2.resize(image, (round(w * args.across / h), args.across), interpolation=cv2.INTER_AREA))
            parts.append(np.full((args.across, args.gap, 3), 255, np.uint8))
        else:
            parts.append(cv2.resize(image, (args.width, round(h * args.width / w)), interpolation=cv2.INTER_AREA))
            parts.append(np.full((args.gap, args.width, 3), 255, np.uint8))
    write(Decoded(np.concatenate(parts[:-1], axis=1 if args.across else 0)), args.out, quality=85)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
