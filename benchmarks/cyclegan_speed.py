"""cyclegan on this machine: parameters, translation images/s at 256x256, and training steps/s.

Translation: one generator of the default architecture (or of --model) in eval mode under inference_mode,
256x256 inputs, batch 1 and 4, median of repeats. Training: `gantools train cyclegan` for --steps steps on
the two folders (default settings unless given), steps/s read from its metrics.

    python benchmarks/cyclegan_speed.py [--model RUN] [--data-a A --data-b B --steps 20] [--set size=128 ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from gantools.files import weights
from gantools.recipes.cyclegan.recipe import CycleGANConfig, CycleGANRecipe


def images_per_s(net: torch.nn.Module, batch: int, side: int, seconds: float = 3.0) -> float:
    x = torch.rand(batch, 3, side, side) * 2 - 1
    with torch.inference_mode():
        net(x)
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            net(x)
            done += batch
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--side", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data-a", default=None)
    parser.add_argument("--data-b", default=None)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--set", action="append", default=[], help="KEY=VALUE training settings")
    args = parser.parse_args()
    if args.model:
        loaded = weights.load(args.model, expect_recipe="cyclegan")
        nets = loaded.networks
        recipe = loaded.recipe
    else:
        recipe = CycleGANRecipe(CycleGANConfig())
        nets = recipe.build()
    g = nets["G_AB"].eval().to(memory_format=torch.channels_last)
    count = lambda n: sum(p.numel() for p in n.parameters()) / 1e6  # noqa: E731
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; G: {count(g):.2f}M parameters each"
          + ("" if args.model else f"; D: {count(recipe.build()['D_A']):.2f}M each"))
    for batch in (1, 4):
        runs = [images_per_s(g, batch, args.side) for _ in range(args.repeats)]
        print(f"translate {args.side}x{args.side}, batch {batch}: {statistics.median(runs):.2f} images/s "
              f"(runs: {', '.join(f'{r:.2f}' for r in runs)})")
    if args.data_a and args.data_b:
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [sys.executable, "-m", "gantools", "train", "cyclegan", "--data-a", args.data_a, "--data-b", args.data_b,
                   "--out", str(Path(tmp) / "run"), "--steps", str(args.steps), "--log-every", str(max(1, args.steps // 2)),
                   "--sample-every", "0", "--quiet", *[f"--set={s}" for s in args.set]]
            subprocess.run(cmd, check=True)
            last = json.loads((Path(tmp) / "run" / "metrics.jsonl").read_text().splitlines()[-1])
        print(f"training ({' '.join(args.set) or 'default settings'}): {last['steps_per_s']:.3f} steps/s "
              f"(second half of {args.steps} steps), {1 / last['steps_per_s']:.2f} s a step")


if __name__ == "__main__":
    main()
