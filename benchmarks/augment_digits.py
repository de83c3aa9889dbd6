"""augment on scikit-learn digits with 20 images per class (the other 1597 held out): the benefit report's
accuracies (a)-(d) and CAS, training minutes, export time for 5000 images, and sampling throughput at 64x64.

    python benchmarks/augment_digits.py [--steps 12000] [--per-class 20] [--work DIR]

12000 GAN steps take about 50 min on 2 cores (the README's figures); CAS rises with them (0.87 at 3000).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from _augment import benefit_and_export

from gantools.recipes.augment.pipeline import AugmentOptions
from gantools.data.toydata import write_digits


def sampling_rate(size: int = 64, n_classes: int = 10, batch: int = 256, seconds: float = 3.0) -> float:
    from gantools.nets.cbn import CBNGenerator

    g = CBNGenerator(128, 3, size, n_classes).eval()
    z, y = torch.randn(batch, 128), torch.arange(batch) % n_classes
    with torch.inference_mode():
        g(z, y)
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            g(z, y)
            done += batch
    return done / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=12000)
    ap.add_argument("--per-class", type=int, default=20)
    ap.add_argument("--seeds", type=int, default=3, help="classifier runs per training set (more steady the means; the spread stays the runs' own)")
    ap.add_argument("--work", default=None, help="keep the data, runs and reports here (default: a temporary folder)")
    args = ap.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp())
    train, test = work / "digits_train", work / "digits_test"
    if not train.exists():  # the same split `gantools data digits --per-class 20 --holdout` writes
        write_digits(train, size=32, per_class=args.per_class, holdout=test)
    # Digits change meaning when mirrored: the classic policy runs without flips.
    opts = AugmentOptions(dataset=train, n=0, out=work / "benefit", steps=args.steps, flip=False)
    benefit_and_export(opts, test, work, synthetic=1000, seeds=args.seeds)
    print(f"sampling throughput, 64x64 RGB, 10 classes, batch 256: {sampling_rate():.0f} images/s")


if __name__ == "__main__":
    main()
