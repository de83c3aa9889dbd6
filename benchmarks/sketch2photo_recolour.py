"""Does the colorize model know what sketch2photo's outputs show? Each held-out photo is drawn (XDoG, as
`gantools eval sketch2photo` draws it), turned into a photo by a sketch2photo model, and that photo's own
luminance is coloured again by a colorize model (the object-aware teacher). Prints, for the sketch2photo
outputs, for the recoloured ones and, as a reference, for the photos' own luminance coloured: colourfulness
and hue distance against the photos, and KID x100 (with the `fid` extra). A diagnostic for issue 33's next design (colour from a teacher), not a shipped path.

    python benchmarks/sketch2photo_recolour.py --data DIR/heldout [--model sketch2photo] [--colorize colorize] [--temperature 1.0]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

import gantools
from gantools.data.folders import find_images, pad_square
from gantools.files.imageio import as_channels, read_image
from gantools.metrics import image as metrics
from gantools.metrics import inception
from gantools.recipes.sketch2photo import drawing as sketch


def report(name: str, outputs: list[np.ndarray], truths: list[np.ndarray], features, real_features) -> None:
    colour = np.mean([metrics.colourfulness(o) for o in outputs]) / np.mean([metrics.colourfulness(t) for t in truths])
    hues = [sum(metrics.hue_histogram(im) for im in images) for images in (outputs, truths)]
    line = f"{name}: colourfulness {colour:.3f}x the photos', hue_distance {metrics.hue_distance(*hues):.3f}"
    if features is not None:
        kid, std = metrics.kernel_inception_distance(features(outputs), real_features)
        line += f", KID x100 {100 * kid:.2f} +- {100 * std:.2f}"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", default="sketch2photo")
    parser.add_argument("--colorize", default="colorize")
    parser.add_argument("--temperature", type=float, default=1.0)
    args = parser.parse_args()
    s2p = gantools.load(args.model, device="cpu")
    painter = gantools.load(args.colorize, device="cpu", temperature=args.temperature)
    side = s2p.recipe.config.render_size
    truths, outputs, recoloured, reference = [], [], [], []
    for path in find_images(args.data):
        truth = pad_square(as_channels(read_image(path), 3), side)
        out = s2p(sketch.xdog(truth))[..., :3]
        truths.append(truth)
        outputs.append(out)
        recoloured.append(painter(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY))[..., :3])
        reference.append(painter(cv2.cvtColor(truth, cv2.COLOR_RGB2GRAY))[..., :3])
    features = inception.InceptionFeatures("cpu") if inception.available() else None
    real = features(truths) if features else None
    print(f"{len(truths)} photos at {side}x{side}, colorize at temperature {args.temperature}")
    report("sketch2photo", outputs, truths, features, real)
    report("its luminance coloured by colorize", recoloured, truths, features, real)
    report("reference: the photos' own luminance coloured by colorize", reference, truths, features, real)


if __name__ == "__main__":
    main()
