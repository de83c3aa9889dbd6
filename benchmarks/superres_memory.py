"""Peak resident memory of `gantools upscale` on one 4000x3000 JPEG photo at x4 with tiling.

The photo is made from a real one (scikit-learn's sample photo, resized); the command runs in a child
process exactly as a user would type it, and its peak RSS (ru_maxrss) is read when it exits.

    python benchmarks/superres_memory.py [--model psnr] [--tile N (default: the model's)] [--width 4000 --height 3000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="psnr")
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--tile", type=int, default=None)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()
    from sklearn.datasets import load_sample_images

    photo = load_sample_images().images[0]
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        src.mkdir()
        big = cv2.resize(photo, (args.width, args.height), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(src / "photo.jpg"), np.ascontiguousarray(big[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, 92])
        cmd = [sys.executable, "-m", "gantools", "upscale", str(src), str(out), "--scale", str(args.scale), "--model", args.model,
               *(["--tile", str(args.tile)] if args.tile is not None else []), "--quiet"]
        start = time.perf_counter()
        subprocess.run(cmd, check=True)
        wall = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = cv2.imread(str(out / "photo.jpg"))
    tile = "the model's" if args.tile is None else args.tile
    print(f"upscale {args.width}x{args.height} x{args.scale} -> {result.shape[1]}x{result.shape[0]}, tile {tile}: "
          f"peak RSS {peak_kib / 1024**2:.2f} GiB, {wall:.1f} s")


if __name__ == "__main__":
    main()
