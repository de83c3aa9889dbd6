"""Trainer overhead: steps/s of Trainer.fit against a bare hand-written two-phase PyTorch loop.

Same nets (dcgan recipe), same batch, same data (photo patches through the same dataset and a
DataLoader), same losses (non-saturating BCE), same optimisers, in one process, runs alternated and
repeated; the median of each is compared. The trainer runs with its run folder (metrics.jsonl,
checkpoint, final sample grid and loss curve) and EMA off, since the bare loop keeps no EMA; its
steps/s with the recipe's defaults (EMA on) is printed too: that is the `dcgan` 64x64 batch-64 figure.

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
from gantools.trainconfig import TrainConfig  # noqa: E402
from gantools.trainer import Trainer  # noqa: E402


def bare_loop(recipe: DCGANRecipe, dataset, steps: int, batch: int, seed: int) -> float:
    """The two-phase update written out by hand, as in the PyTorch DCGAN tutorial."""
    torch.manual_seed(seed)
    G, D = recipe.build_generator(), recipe.build_discriminator()
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = DataLoader(dataset, batch_size=batch, shuffle=True, drop_last=True)
    z_dim = recipe.config.z_dim
    start, done = time.perf_counter(), 0
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
            if done == steps:
                break
    return steps / (time.perf_counter() - start)


def trainer_run(recipe: DCGANRecipe, dataset, steps: int, batch: int, seed: int, ema: float, out: Path) -> float:
    cfg = TrainConfig(steps=steps, batch_size=batch, seed=seed, ema_decay=ema, sample_every=0, checkpoint_every=10**9, device="cpu")
    start = time.perf_counter()
    trainer = Trainer(recipe, cfg, dataset, out, progress=False)
    trainer.fit()
    return steps / (time.perf_counter() - start)


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
        bare_loop(recipe, dataset, 3, args.batch, 0)  # warm-up: allocator, kernels
        bare, ours, ours_ema = [], [], []
        for r in range(args.repeats):
            bare.append(bare_loop(recipe, dataset, args.steps, args.batch, r))
            ours.append(trainer_run(recipe, dataset, args.steps, args.batch, r, 0.0, Path(tmp) / f"run{r}"))
            ours_ema.append(trainer_run(recipe, dataset, args.steps, args.batch, r, 0.999, Path(tmp) / f"ema{r}"))
            print(f"  round {r + 1}: bare {bare[-1]:.3f}  trainer {ours[-1]:.3f}  trainer+EMA {ours_ema[-1]:.3f} steps/s")
    b, t, te = statistics.median(bare), statistics.median(ours), statistics.median(ours_ema)
    print(f"bare loop            {b:.3f} steps/s")
    print(f"Trainer.fit          {t:.3f} steps/s   ratio {t / b:.3f} (target >= 0.95)")
    print(f"Trainer.fit + EMA    {te:.3f} steps/s   (dcgan {args.size}x{args.size}, batch {args.batch}, recipe defaults)")


if __name__ == "__main__":
    main()
