"""Sampling speed of a noise-to-image model (dcgan, augment, infogan): images/s through its sampler, batch 64.

    python benchmarks/sampling_speed.py MODEL [--batch 64] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from gantools.files import weights
from gantools.infer.sampling import LatentSampler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    loaded = weights.load(args.model)
    sampler = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
    assert isinstance(sampler, LatentSampler), f"{args.model} is not a noise-to-image model"
    z = torch.randn(args.batch, sampler.z_dim, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(args.batch) % max(1, len(sampler.classes)) if sampler.classes else None
    sampler.generate(z, labels)
    runs = []
    for _ in range(args.repeats):
        start, done = time.perf_counter(), 0
        while time.perf_counter() - start < 2.0:
            sampler.generate(z, labels)
            done += args.batch
        runs.append(done / (time.perf_counter() - start))
    print(f"{args.model}: {statistics.median(runs):.0f} images/s, batch {args.batch}, {torch.get_num_threads()} threads "
          f"(runs: {', '.join(f'{r:.0f}' for r in runs)})")


if __name__ == "__main__":
    main()
