"""augment on a 64x64 class-folder photo set: six categories of tuxpaint stamps (photo cut-outs with alpha,
padded onto white), one image in three held out. The benefit report's accuracies (a)-(d), CAS, FID, GAN
training minutes on this CPU, and export time for 5000 images.

    apt-get download tuxpaint-stamps-default && dpkg -x tuxpaint-stamps-default_*.deb stamps
    python benchmarks/augment_stamps.py --stamps stamps/usr/share/tuxpaint/stamps [--minutes 60] [--work DIR]

By default the GAN trains at 32x32 and its samples are exported (and judged) at 64x64: about 4 steps/s
here, 12000 steps in under an hour. `--size 64 --steps 3000` is the README's earlier 64-px GAN.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from _augment import benefit_and_export

from gantools.recipes.augment.pipeline import AugmentOptions

CATEGORIES = {"mammals": "animals/mammals", "birds": "animals/birds", "fruit": "food/fruit", "vehicles": "vehicles",
              "houses": "town/houses", "flowers": "plants/flowers"}


def write_split(stamps: Path, train: Path, test: Path) -> None:
    """Every third stamp of a category (sorted by path, offset 1) is held out; tuxpaint's *_mirror copies are left out."""
    for cls, sub in CATEGORIES.items():
        files = sorted(f for f in (stamps / sub).rglob("*.png") if "_mirror" not in f.name)
        if not files:
            raise SystemExit(f"no stamps under {stamps / sub}: is --stamps the extracted usr/share/tuxpaint/stamps?")
        for i, f in enumerate(files):
            dst = (test if i % 3 == 1 else train) / cls / str(f.relative_to(stamps)).replace("/", "__")
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dst)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stamps", required=True, help="the extracted usr/share/tuxpaint/stamps folder")
    ap.add_argument("--size", type=int, default=32, choices=(32, 64), help="GAN training resolution")
    ap.add_argument("--export-size", type=int, default=64, help="side of the exported and judged images")
    ap.add_argument("--steps", type=int, default=12000)
    ap.add_argument("--minutes", type=float, default=60.0, help="GAN training time limit (on 2 cores: 12000 steps at 32 px take about 54 min, 3000 at 64 px about 57)")
    ap.add_argument("--seeds", type=int, default=3, help="classifier runs per training set (more steady the means; the spread stays the runs' own)")
    ap.add_argument("--work", default=None, help="keep the data, runs and reports here (default: a temporary folder)")
    args = ap.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp())
    train, test = work / "stamps_train", work / "stamps_test"
    if not train.exists():
        write_split(Path(args.stamps), train, test)
    opts = AugmentOptions(dataset=train, n=0, out=work / "benefit", size=args.size, export_size=args.export_size, fit="pad",
                          steps=args.steps, minutes=args.minutes)
    benefit_and_export(opts, test, work, synthetic=1200, seeds=args.seeds)


if __name__ == "__main__":
    main()
