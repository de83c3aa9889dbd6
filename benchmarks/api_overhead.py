"""The Python API's cost per image against the CLI's folder runner, on the same model and the same images.

N photo-like images (made here, 384x256 PNG) are colourised three ways, each after a warm-up, in this process
(so process start and model loading are left out of all three):
  runner: `gantools.infer.runner.run` over the folder (what `gantools colorize IN OUT` does after loading);
  api one by one: `model(path, out=...)` per file, as a loop in user code would;
  api list: `model([arrays...], batch_size=4)` on decoded arrays, writing nothing.

    python benchmarks/api_overhead.py [--n 40] [--model colorize]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

import gantools
from gantools.files.imageio import read_image
from gantools.infer import runner


def photos(folder: Path, n: int) -> list[Path]:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:256, 0:384] / 384.0
    paths = []
    for i in range(n):
        phase = rng.uniform(0, 6, 3)
        image = np.stack([np.sin(6 * x + phase[c]) + np.cos(9 * y * (c + 1) + phase[c]) for c in range(3)], axis=2)
        image = np.clip((image + 2) * 63 + rng.normal(0, 4, image.shape), 0, 255).astype(np.uint8)
        paths.append(folder / f"{i:03d}.png")
        Image.fromarray(image).save(paths[-1])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--model", default="colorize")
    args = parser.parse_args()
    model = gantools.load(args.model, device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        files = photos(src, args.n)
        model(files[0])  # warm-up: first-call allocations are nobody's per-image cost
        opts = runner.RunOptions(progress=False)
        runner.run(model.predictor, files[0], Path(tmp) / "warm", opts)
        t0 = time.perf_counter()
        report = runner.run(model.predictor, src, Path(tmp) / "runner", opts)
        t_runner = time.perf_counter() - t0
        assert report.done == args.n, report.failed
        t0 = time.perf_counter()
        for path in files:
            model(path, out=Path(tmp) / "api" / path.name)
        t_api = time.perf_counter() - t0
        arrays = [read_image(p).pixels for p in files]
        t0 = time.perf_counter()
        model(arrays, batch_size=4)
        t_list = time.perf_counter() - t0
    per = {name: 1000 * t / args.n for name, t in (("runner", t_runner), ("api", t_api), ("list", t_list))}
    print(f"{args.n} images 384x256, {args.model}: runner {per['runner']:.1f} ms/image; API one by one (read, run, write) "
          f"{per['api']:.1f} ms/image (overhead {per['api'] - per['runner']:+.1f} ms); API list of arrays, batch 4 "
          f"(no reading or writing) {per['list']:.1f} ms/image")


if __name__ == "__main__":
    main()
