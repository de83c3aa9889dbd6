"""Training steps/s of every built-in recipe with its own defaults, through the product command.

Each recipe trains on real photos that ship with scikit-learn (china, flower: whole photos for the
photo recipes, 64x64 patches in two class folders for the latent ones) with `gantools train`, adversarial
from the first step (pre-training and D warm-up set to 0, so every recipe is measured on its full step).
steps/s is read from metrics.jsonl: the median of the logged intervals after the first (set-up left out).
The command is the same before and after a change of the trainer, so the figures compare: `--trees`
names folders whose `gantools` package is put first on PYTHONPATH ('' = the installed one); runs of the
trees alternate, `--repeats` times per recipe, so a busy machine slows them alike; medians are printed.

    python benchmarks/recipe_speed.py [--steps 40] [--recipes dcgan,augment,colorize,superres,sketch2photo]
    python benchmarks/recipe_speed.py --trees /tmp/old_tree, --repeats 3     # old against installed
    python benchmarks/recipe_speed.py --flags=--no-channels-last,--channels-last   # a setting off against on
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import photo_patches  # noqa: E402

# Per recipe: which data it trains on, and settings that keep one run to about a minute on 2 cores.
RUNS = {
    "dcgan": ("patches", ["--size", "64"]),
    "augment": ("classes", ["--size", "64", "--batch-size", "32"]),
    "colorize": ("photos", []),
    "superres": ("photos", ["--photo-scales", "[427]", "--load-size", "192"]),
    "sketch2photo": ("photos", []),
}


def write_data(root: Path) -> dict[str, Path]:
    from sklearn.datasets import load_sample_images

    photos = root / "photos"
    photos.mkdir(parents=True)
    for n, photo in enumerate(load_sample_images().images):
        Image.fromarray(photo).save(photos / f"{n}.png")
        Image.fromarray(np.ascontiguousarray(photo[:, ::-1])).save(photos / f"{n}_mirrored.png")
    patches = photo_patches(root / "patches")
    classes = root / "classes"
    for path in sorted(patches.iterdir()):
        (classes / f"photo{path.name[0]}").mkdir(parents=True, exist_ok=True)
        path.rename(classes / f"photo{path.name[0]}" / path.name)
    return {"photos": photos, "patches": classes / "photo0", "classes": classes}


def steps_per_s(run: Path) -> float:
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return statistics.median(r["steps_per_s"] for r in rows[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--recipes", default=",".join(RUNS))
    parser.add_argument("--trees", default="", help="comma-separated PYTHONPATH folders to compare ('' = the installed gantools)")
    parser.add_argument("--flags", default="", help="comma-separated extra options to compare, e.g. --no-channels-last,--channels-last")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    trees = [(tree, flag) for tree in args.trees.split(",") for flag in args.flags.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        data = write_data(Path(tmp) / "data")
        for name in args.recipes.split(","):
            kind, extra = RUNS[name]
            rates: dict[tuple[str, str], list[float]] = {variant: [] for variant in trees}
            for r in range(args.repeats):
                for tree, flag in trees:
                    run = Path(tmp) / f"run_{name}_{r}_{trees.index((tree, flag))}"
                    command = [sys.executable, "-m", "gantools", "train", name, "--data", str(data[kind]), "--out", str(run),
                               "--steps", str(args.steps), "--quiet", "--log-every", "5", "--sample-every", "0",
                               "--checkpoint-every", "100000", "--pretrain-steps", "0", "--d-warmup", "0", "--device", "cpu", *extra,
                               *([flag] if flag else [])]
                    env = {**os.environ, "PYTHONPATH": tree} if tree else dict(os.environ)
                    subprocess.run(command, check=True, capture_output=True, env=env, cwd=tmp)
                    rates[(tree, flag)].append(steps_per_s(run))
            medians = {variant: statistics.median(v) for variant, v in rates.items()}
            line = "  ".join(f"{' '.join(filter(None, v)) or 'installed'}: {m:.3f}" for v, m in medians.items())
            ratio = f"  ratio {medians[trees[-1]] / medians[trees[0]]:.3f}" if len(trees) > 1 else ""
            print(f"{name:14s} {line} steps/s (median of {args.repeats}){ratio}", flush=True)


if __name__ == "__main__":
    main()
