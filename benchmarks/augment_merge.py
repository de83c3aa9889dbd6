"""Does copying an export into the training folder help an ordinary classifier? Real only against real + export
merged (batches drawn uniformly from the merged set, no special batching), at several ratios of synthetic to
real images, over several seeds, tested on held-out real images the GAN never saw (issue 32, item 3).

    python benchmarks/augment_merge.py --train DIR --test DIR --model RUN [--ratios 0.5,1,2] [--seeds 5] [--work DIR]

The export is made once by `gantools augment` itself (the largest ratio; near-copies dropped as usual) and each
smaller ratio takes the first images of each class from it. The classifier is the benefit report's small CNN.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from gantools.data.folders import list_data
from gantools.recipes.augment import benefit
from gantools.recipes.augment.pipeline import AugmentOptions, readable_squares, run_augment


def labelled(folder: Path, classes: list[str], size: int, channels: int, fit: str) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """uint8 images and labels of a class-folder set, and each class's images in order."""
    listing = list_data(folder, conditional=True)
    ok = readable_squares(listing.files, size, channels, fit, [])
    labels = [classes.index(listing.classes[listing.labels[i]]) for i, _ in ok]
    per_class = {y: [k for k, lab in enumerate(labels) if lab == y] for y in range(len(classes))}
    return benefit.to_uint8([pix for _, pix in ok]), torch.tensor(labels), per_class


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, required=True, help="the real training images (class folders) the GAN trained on")
    ap.add_argument("--test", type=Path, required=True, help="held-out real images of the same classes")
    ap.add_argument("--model", required=True, help="the augment model (run folder)")
    ap.add_argument("--ratios", default="0.5,1,2", help="synthetic images per real image, comma-separated")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--export-size", type=int, default=None, help="as `gantools augment --export-size`")
    ap.add_argument("--work", type=Path, default=None, help="where the export goes (default: a temporary folder)")
    args = ap.parse_args()
    ratios = sorted(float(r) for r in args.ratios.split(","))
    work = args.work or Path(tempfile.mkdtemp())
    from gantools.files import weights

    loaded = weights.load(args.model, expect_recipe="augment")
    classes, channels, fit = list(loaded.recipe.classes), loaded.recipe.channels, loaded.recipe.config.fit
    n_real = len(list_data(args.train, conditional=True).files)
    start = time.perf_counter()
    report = run_augment(AugmentOptions(dataset=args.train, n=round(max(ratios) * n_real), out=work / "export", model=args.model,
                                        export_size=args.export_size, overwrite=True, progress=False, check=False), say=lambda *_: None)
    size = report["image_size"]
    print(f"export of {report['n']} images ({max(ratios):g}x the {n_real} real): {time.perf_counter() - start:.0f} s; size {size}")
    real_x, real_y, _ = labelled(args.train, classes, size, channels, fit)
    test_x, test_y, _ = labelled(args.test, classes, size, channels, fit)
    synth_x, synth_y, synth_by_class = labelled(work / "export", classes, size, channels, "crop")
    print(f"real {len(real_y)}, held-out {len(test_y)}, classifier: {benefit.STEPS} steps, batch 64, uniform over the set; seeds {args.seeds}")

    def accuracies(parts) -> list[float]:
        return [benefit.accuracy(benefit.train_classifier(parts, len(classes), seed=s, steps=benefit.STEPS, plain=True), test_x, test_y)
                for s in range(args.seeds)]

    base = np.array(accuracies([(real_x, real_y)]))
    print(f"real only             {base.mean():.4f} +- {base.std():.4f}")
    for ratio in ratios:
        share = ratio / max(ratios)  # the first images of each class: an export of this size shares the same way
        idx = [k for y in range(len(classes)) for k in synth_by_class[y][: round(len(synth_by_class[y]) * share)]]
        merged = np.array(accuracies([(real_x, real_y), (synth_x[idx], synth_y[idx])]))
        gain = merged - base
        print(f"merged {ratio:4g}x ({len(idx):6d}) {merged.mean():.4f} +- {merged.std():.4f}   vs real only seed by seed: "
              f"{100 * gain.mean():+.2f} +- {100 * gain.std(ddof=1) / np.sqrt(len(gain)):.2f} points, above in {(gain > 0).sum()} of {len(gain)}",
              flush=True)
    print(f"total {time.perf_counter() - start:.0f} s; export in {work / 'export'}")


if __name__ == "__main__":
    main()
