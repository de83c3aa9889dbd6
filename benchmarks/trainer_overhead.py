"""Trainer overhead: steps/s of Trainer.fit against a bare hand-written two-phase PyTorch loop.

Same nets (dcgan recipe), same batch, same data (photo patches through the same dataset and a
DataLoader), same losses (non-saturating BCE), same optimisers, in one process, runs alternated and
repeated; the median of each is compared. The trainer runs with its run folder (progress bar,
metrics.jsonl) and EMA off, since the bare loop keeps no EMA; its steps/s with the recipe's defaults
(EMA on) is printed too: that is the `dcgan` 64x64 batch-64 figure.

Steady state: steps/s from the end of step WARMUP to the last step, so set-up (building nets) and the
once-per-run end (final checkpoint, sample grid, loss-curve plot) are left out of both; the whole-run
ratio, which includes them, is printed as well.

    python benchmarks/trainer_overhead.py [--steps 40] [--size 64] [--batch 64] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import photo_patches  # noqa: E402

from gantools.recipes.dcgan import DCGANConfig, DCGANRecipe  # noqa: E402
from gantools.train.trainconfig import TrainConfig  # noqa: E402
from gantools.train.trainer import Trainer  # noqa: E402


WARMUP = 3


def rates(stamps: list[float], start: float, end: float) -> tuple[float, float]:
    """(steady-state steps/s after WARMUP steps, whole-run steps/s)."""
    steady = (len(stamps) - WARMUP) / (stamps[-1] - stamps[WARMUP - 1])
    return steady, len(stamps) / (end - start)


def bare_loop(recipe: DCGANRecipe, dataset, steps: int, batch: int, seed: int) -> tuple[float, float]:
    """The two-phase update written out by hand, as in the PyTorch DCGAN tutorial."""
    torch.manual_seed(seed)
    G, D = recipe.build_generator(), recipe.build_discriminator()
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = DataLoader(dataset, batch_size=batch, shuffle=True, drop_last=True)
    z_dim = recipe.config.z_dim
    start, done, stamps = time.perf_counter(), 0, []
    while done < steps:
        for images, _ in loader:
            real = images.float() / 127.5 - 1.0
            fake = G(torch.randn(real.shape[0], z_dim))
            real_logits, fake_logits = D(real), D(fake.detach())
            loss_d = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits)) + F.binary_cross_entropy_with_logits(
                fake_logits, torch.zeros_like(fake_logits))
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            D.requires_grad_(False)
            logits = D(fake)
            loss_g = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            D.requires_grad_(True)
            loss_g.item()  # the bare loop also reads its loss, as any loop that prints does
            done += 1
            stamps.append(time.perf_counter())
            if done == steps:
                break
    return rates(stamps, start, time.perf_counter())


def trainer_run(recipe: DCGANRecipe, dataset, steps: int, batch: int, seed: int, ema: float, out: Path) -> tuple[float, float]:
    cfg = TrainConfig(steps=steps, batch_size=batch, seed=seed, ema_decay=ema, sample_every=0, checkpoint_every=10**9,
                      log_every=10, device="cpu")
    start = time.perf_counter()
    trainer = Trainer(recipe, cfg, dataset, out, progress=True)
    stamps: list[float] = []
    accumulate = trainer._accumulate  # called once at the end of every step, after the update

    def stamped(stats):
        accumulate(stats)
        stamps.append(time.perf_counter())

    trainer._accumulate = stamped
    trainer.fit()
    return rates(stamps, start, time.perf_counter())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = photo_patches(Path(tmp) / "patches", size=args.size)
        recipe = DCGANRecipe(DCGANConfig(size=args.size))
        dataset = recipe.dataset(data)
        print(f"data: {len(dataset)} RGB {args.size}x{args.size} photo patches; batch {args.batch}; {args.steps} steps a run; "
              f"torch {torch.__version__}, {torch.get_num_threads()} threads")
        bare_loop(recipe, dataset, WARMUP + 1, args.batch, 0)  # warm-up: allocator, kernels
        runs: dict[str, list[tuple[float, float]]] = {"bare": [], "trainer": [], "trainer+EMA": []}
        for r in range(args.repeats):
            runs["bare"].append(bare_loop(recipe, dataset, args.steps, args.batch, r))
            runs["trainer"].append(trainer_run(recipe, dataset, args.steps, args.batch, r, 0.0, Path(tmp) / f"run{r}"))
            runs["trainer+EMA"].append(trainer_run(recipe, dataset, args.steps, args.batch, r, 0.999, Path(tmp) / f"ema{r}"))
            print("  round %d: " % (r + 1) + "  ".join(f"{k} {v[-1][0]:.3f}" for k, v in runs.items()) + " steps/s (steady)", flush=True)
    steady = {k: statistics.median(x[0] for x in v) for k, v in runs.items()}
    whole = {k: statistics.median(x[1] for x in v) for k, v in runs.items()}
    print(f"bare loop            {steady['bare']:.3f} steps/s steady, {whole['bare']:.3f} whole run")
    print(f"Trainer.fit          {steady['trainer']:.3f} steps/s steady, {whole['trainer']:.3f} whole run")
    print(f"ratio                {steady['trainer'] / steady['bare']:.3f} steady (target >= 0.95), {whole['trainer'] / whole['bare']:.3f} whole run")
    print(f"Trainer.fit + EMA    {steady['trainer+EMA']:.3f} steps/s steady  (dcgan {args.size}x{args.size}, batch {args.batch}, recipe defaults)")


if __name__ == "__main__":
    main()
