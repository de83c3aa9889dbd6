"""augment on scikit-learn digits with 20 images per class (the other 1597 held out): the benefit report's
accuracies (a)-(d) and CAS, training minutes, export time for 5000 images, and sampling throughput at 64x64.

    python benchmarks/augment_digits.py [--steps 3000] [--per-class 20] [--work DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from gantools.augmenting import AugmentOptions, run_augment, run_benefit
from gantools.toydata import write_digits


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
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--per-class", type=int, default=20)
    ap.add_argument("--work", default=None, help="keep the data, runs and reports here (default: a temporary folder)")
    args = ap.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp())
    train, test = work / "digits_train", work / "digits_test"
    if not train.exists():  # the same split `gantools data digits --per-class 20 --holdout` writes
        write_digits(train, size=32, per_class=args.per_class, holdout=test)
    gan = work / "gan"  # trained on the 20 per class only; reused when the script runs again
    reuse = str(gan) if (gan / "model.safetensors").is_file() else None
    # Digits change meaning when mirrored: the classic policy runs without flips.
    opts = AugmentOptions(dataset=train, n=0, out=work / "benefit", run_dir=gan, model=reuse, steps=args.steps, overwrite=True, flip=False)
    result = run_benefit(opts, test_dir=test, per_class=100)
    for name, r in result["accuracy"].items():
        print(f"{name:20s} {r['accuracy_mean']:.4f} +- {r['accuracy_std']:.4f}  helps: {result['helps'].get(name, '-')}")
    print(f"CAS {result['cas']['accuracy_mean']:.4f} +- {result['cas']['accuracy_std']:.4f}; "
          f"GAN training {result['gan_training_minutes']:.1f} min ({args.steps} steps)")
    start = time.perf_counter()
    report = run_augment(AugmentOptions(dataset=train, n=5000, out=work / "synth", model=str(gan), overwrite=True, progress=False,
                                         flip=False),
                         say=lambda *_: None)
    print(f"export of 5000 images: {time.perf_counter() - start:.1f} s wall ({report['export_seconds']:.1f} s sampling, "
          f"near-copy check and PNG writing); near-copies dropped: {report['near_copy_check']['dropped_and_redrawn']}")
    print(f"sampling throughput, 64x64 RGB, 10 classes, batch 256: {sampling_rate():.0f} images/s")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
