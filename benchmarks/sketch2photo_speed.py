"""sketch2photo throughput on this machine: a folder of 256x256 drawings end to end, and the nets alone.

End to end is `gantools sketch2photo` as a user runs it (decode, drawing clean-up, the model at its
render size, resize back to 256x256, PNG encode) over XDoG drawings of scikit-learn's sample photos.
The nets alone: our U-Net and pix2pix's unet_256 (1 -> 3 channels) on 256x256 inputs, batch 4.

    python benchmarks/sketch2photo_speed.py [--model sketch2photo] [--images 64] [--batch 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import photo_patches  # noqa: E402
from colorize_speed import images_per_s, params, pix2pix_unet_256  # noqa: E402

from gantools.infer import runner as batch

from gantools.recipes.sketch2photo import drawing as sketch

from gantools.files import weights  # noqa: E402


def drawings(out: Path, count: int) -> Path:
    photos = photo_patches(out.parent / "photos", size=256, stride=48)
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(photos.iterdir())[:count]:
        Image.fromarray(sketch.xdog(np.asarray(Image.open(path).convert("RGB")))).save(out / path.name)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="sketch2photo")
    ap.add_argument("--images", type=int, default=64)
    ap.add_argument("--batch", type=int, default=4)
    args = ap.parse_args()
    loaded = weights.load(args.model, expect_recipe="sketch2photo")
    with tempfile.TemporaryDirectory() as tmp:
        src = drawings(Path(tmp) / "drawings", args.images)
        n = len(list(src.iterdir()))
        report = batch.run(loaded.recipe.predictor(loaded.networks, torch.device("cpu")), src, Path(tmp) / "out",
                           batch.RunOptions(workers=2, batch_size=args.batch, progress=False))
    print(f"end to end: {n} drawings of 256x256 -> {report.done} photos in {report.seconds:.2f} s: "
          f"{report.done / report.seconds:.2f} images/s (model at render size {loaded.recipe.config.render_size}: "
          f"{report.model_seconds:.2f} s; stages {report.stage_seconds})")
    ours = loaded.generator.eval()
    ref = pix2pix_unet_256(1, 3).eval()
    for name, net in (("gantools U-Net", ours), ("pix2pix unet_256", ref)):
        x_rate = images_per_s(net, args.batch)
        print(f"model alone at 256x256, batch {args.batch}: {name} ({params(net):.2f}M parameters): {x_rate:.2f} images/s")



if __name__ == "__main__":
    main()
