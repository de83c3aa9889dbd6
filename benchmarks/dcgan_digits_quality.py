"""Quality of a class-conditional digits model, judged on digits it never trained on.

A logistic-regression classifier is fit on held-out real digits (by default the 1797 - 1500 = 297
that `gantools data digits --per-class 150 --holdout` set aside). For N samples per class it prints:
- agreement: share of samples the classifier labels as the class they were asked for
  (held-out real digits score the classifier's own accuracy on its training set; noise scores ~10%);
- spread: mean within-class distance between samples, relative to the same for real digits
  (1.0 = as varied as real digits; near 0 = every sample of a class looks the same).

    python benchmarks/dcgan_digits_quality.py dcgan-digits [--holdout DIR] [--n 100]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import cv2
import numpy as np
import torch
from scipy.spatial.distance import pdist
from sklearn.linear_model import LogisticRegression

from gantools.files import weights
from gantools.data.folders import SquareImages, list_data
from gantools.data.toydata import write_digits


def to_8x8(images: np.ndarray) -> np.ndarray:
    return np.stack([cv2.resize(i.astype(np.float32), (8, 8), interpolation=cv2.INTER_AREA) for i in images]).reshape(len(images), -1)


def spread(features: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean([pdist(features[labels == c]).mean() for c in np.unique(labels)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--holdout", default=None, help="class folders of real digits the model never saw")
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    loaded = weights.load(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        holdout = args.holdout
        if holdout is None:
            write_digits(Path(tmp) / "train", size=8, per_class=150, holdout=Path(tmp) / "holdout")
            holdout = Path(tmp) / "holdout"
        listing = list_data(holdout, conditional=True)
        real = SquareImages(listing, channels=1, size=8)
        real_x = real.cache[:, 0].reshape(len(real), -1) / 255.0
        real_y = np.array([listing.classes[i] for i in listing.labels]).astype(int)
    classifier = LogisticRegression(max_iter=5000).fit(real_x, real_y)
    classes = np.array(loaded.recipe.classes).astype(int)
    labels = torch.arange(len(classes)).repeat_interleave(args.n)
    z = torch.randn(len(labels), loaded.recipe.config.z_dim, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        samples = loaded.generator(z, labels)
    feats = to_8x8((samples[:, 0].numpy() + 1) / 2)
    asked = classes[labels.numpy()]
    agreement = float((classifier.predict(feats) == asked).mean())
    noise_agreement = float((classifier.predict(np.random.default_rng(0).random(feats.shape)) == asked).mean())
    print(f"model {args.model}: {len(labels)} samples; classifier fit on {len(real_y)} held-out real digits")
    print(f"agreement  {agreement:.3f}   (noise: {noise_agreement:.3f})")
    print(f"spread     {spread(feats, asked) / spread(real_x, real_y):.3f}   (real held-out digits = 1.0)")


if __name__ == "__main__":
    main()
