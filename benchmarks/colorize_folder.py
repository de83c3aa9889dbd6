"""End-to-end `gantools colorize` folder throughput on 100 JPEG photos of 3000x2000, and where the time goes.

The photos are made from real ones (a folder given with --photos, else the colour photos bundled with
scikit-image and scikit-learn), cropped to 3:2 and resized to 3000x2000, each a different crop and
flip, saved as quality-90 JPEG (with --gray: as gray JPEGs, what a colorizer is usually given). Then the folder runner colourises them with the bundled model, as the
CLI does. Printed: wall time, images/s, and the seconds spent in each stage: decode, prepare (RGB to
Lab, downscale), model, finish (ab upscale, Lab to RGB), encode. Decode/prepare and finish/encode run on
worker threads that overlap the model, so their sums can exceed the wall time.

    python benchmarks/colorize_folder.py [--count 100] [--photos DIR] [--gray] [--workers 2] [--batch-size 4] [--precision P]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import cv2
import numpy as np

from gantools.infer import options
from gantools.infer import runner as batch

from gantools.files import weights
from gantools.data.folders import find_images
from gantools.files.imageio import as_channels, read_image


def source_photos(folder: str | None) -> list[np.ndarray]:
    if folder:
        return [as_channels(read_image(p), 3) for p in find_images(Path(folder))]
    from skimage import data
    from sklearn.datasets import load_sample_images

    return [data.astronaut(), data.chelsea(), data.coffee(), data.rocket(), *load_sample_images().images]


def make_folder(out: Path, count: int, photos: list[np.ndarray], width: int = 3000, height: int = 2000, gray: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        photo = photos[i % len(photos)]
        h, w = photo.shape[:2]
        ch, cw = (h, int(h * 1.5)) if w >= h * 1.5 else (int(w / 1.5), w)
        scale = rng.uniform(0.8, 1.0)  # a different 3:2 crop of each photo each time
        ch, cw = int(ch * scale), int(cw * scale)
        y, x = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
        crop = cv2.resize(np.ascontiguousarray(photo[y : y + ch, x : x + cw]), (width, height), interpolation=cv2.INTER_CUBIC)
        if i % 2:
            crop = crop[:, ::-1]
        pixels = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2GRAY if gray else cv2.COLOR_RGB2BGR)
        cv2.imwrite(str(out / f"photo_{i:03d}.jpg"), pixels, [cv2.IMWRITE_JPEG_QUALITY, 90])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--photos", default=None, help="folder of colour photos to make the test set from")
    parser.add_argument("--model", default="colorize")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--gray", action="store_true", help="gray JPEG inputs instead of colour ones")
    parser.add_argument("--precision", default=None, help="the networks' arithmetic (auto, float32, bfloat16; default: the model's)")
    args = parser.parse_args()
    loaded = weights.load(args.model, expect_recipe="colorize")
    options.apply(loaded.recipe, {"precision": args.precision})
    predictor = loaded.recipe.predictor(loaded.networks, "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in", Path(tmp) / "out"
        make_folder(src, args.count, source_photos(args.photos), gray=args.gray)
        opts = batch.RunOptions(workers=args.workers, batch_size=args.batch_size, progress=False)
        report = batch.run(predictor, src, out, opts)
    assert report.done == args.count and not report.failed, report.failed
    wall = report.seconds
    print(f"{report.done} {'gray' if args.gray else 'colour'} JPEG photos 3000x2000 ({report.done * 6:.0f} MP), workers {args.workers}, batch {args.batch_size}, {report.batches} model batches")
    print(f"wall {wall:.1f} s: {report.images_per_s:.2f} images/s, {report.done * 6 / wall:.1f} MP/s")
    print(f"model: {report.model_seconds:.1f} s = {100 * report.model_seconds / wall:.1f}% of wall time")
    for stage in ("decode", "prepare", "finish", "encode"):
        sec = report.stage_seconds.get(stage, 0.0)
        print(f"  {stage:8s} {sec:6.1f} s summed over worker threads ({1000 * sec / report.done:.0f} ms per image)")


if __name__ == "__main__":
    main()
