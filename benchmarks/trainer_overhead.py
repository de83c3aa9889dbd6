"""Trainer overhead: steps/s of Trainer.fit against bare hand-written PyTorch loops of the same recipes.

Two recipes: `dcgan` (two networks, the seeds' two phases) and, with `--networks 4`, the four-network
CycleGAN-shaped test recipe tests/recipes/cycle_toy.py (two generators, two discriminators, cycle loss,
image pools) at --width channels, against its loop written out by hand.

Same nets, same batch, same data (photo patches through the same dataset and a DataLoader), same losses,
same optimisers, in one process, runs alternated (in turn first and last) and repeated; the median of each
is compared. The trainer runs with its run folder (progress bar,
metrics.jsonl) and EMA off, since the bare loop keeps no EMA; its steps/s with the recipe's defaults
(EMA on) is printed too: that is the `dcgan` 64x64 batch-64 figure.

Steady state: steps/s from the end of step WARMUP to the last step, so set-up (building nets) and the
once-per-run end (final checkpoint, sample grid, loss-curve plot) are left out of both; the whole-run
ratio, which includes them, is printed as well.

    python benchmarks/trainer_overhead.py [--steps 40] [--size 64] [--batch 64] [--repeats 3]
    python benchmarks/trainer_overhead.py --networks 4 [--width 32] [--batch 16]
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

from gantools.recipe import load_recipe_class  # noqa: E402
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


def bare_four(recipe, dataset, steps: int, batch: int, seed: int) -> tuple[float, float]:
    """The four-network recipe's step written out by hand: both generators (LSGAN against the frozen
    discriminators + cycle L1), then both discriminators on the real images and the pooled fakes."""
    torch.manual_seed(seed)
    nets = recipe.build()
    G_AB, G_BA, D_A, D_B = nets["G_AB"], nets["G_BA"], nets["D_A"], nets["D_B"]
    opt = {name: torch.optim.Adam(net.parameters(), lr=2e-4, betas=(0.5, 0.999)) for name, net in nets.items()}
    loader = DataLoader(dataset, batch_size=batch, shuffle=True, drop_last=True)
    mse, weight = F.mse_loss, recipe.config.cycle_weight
    start, done, stamps = time.perf_counter(), 0, []
    while done < steps:
        for images, _ in loader:
            a = images.float() / 127.5 - 1.0
            b = -a
            D_A.requires_grad_(False)
            D_B.requires_grad_(False)
            fake_b, fake_a = G_AB(a), G_BA(b)
            lb, la = D_B(fake_b), D_A(fake_a)
            loss_g = mse(lb, torch.ones_like(lb)) + mse(la, torch.ones_like(la)) + weight * (
                (G_BA(fake_b) - a).abs().mean() + (G_AB(fake_a) - b).abs().mean())
            opt["G_AB"].zero_grad(set_to_none=True)
            opt["G_BA"].zero_grad(set_to_none=True)
            loss_g.backward()
            opt["G_AB"].step()
            opt["G_BA"].step()
            D_A.requires_grad_(True)
            D_B.requires_grad_(True)
            G_AB.requires_grad_(False)
            G_BA.requires_grad_(False)
            loss_d = 0
            for D, real, fake, domain in ((D_A, a, fake_a, "A"), (D_B, b, fake_b, "B")):
                rl, fl = D(real), D(recipe.pooled(domain, fake.detach()))
                loss_d = loss_d + mse(rl, torch.ones_like(rl)) + mse(fl, torch.zeros_like(fl))
            opt["D_A"].zero_grad(set_to_none=True)
            opt["D_B"].zero_grad(set_to_none=True)
            loss_d.backward()
            opt["D_A"].step()
            opt["D_B"].step()
            G_AB.requires_grad_(True)
            G_BA.requires_grad_(True)
            loss_g.item()
            done += 1
            stamps.append(time.perf_counter())
            if done == steps:
                break
    return rates(stamps, start, time.perf_counter())


def trainer_run(recipe, dataset, steps: int, batch: int, seed: int, ema: float, out: Path, loss: str = "bce") -> tuple[float, float]:
    cfg = TrainConfig(steps=steps, batch_size=batch, seed=seed, ema_decay=ema, sample_every=0, checkpoint_every=10**9,
                      log_every=10, device="cpu", loss=loss, channels_last=False)  # the bare loops keep PyTorch's default format
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
    parser.add_argument("--networks", type=int, choices=(2, 4), default=2, help="2: dcgan; 4: tests/recipes/cycle_toy.py")
    parser.add_argument("--width", type=int, default=32, help="--networks 4: channels of every conv")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = photo_patches(Path(tmp) / "patches", size=args.size)
        if args.networks == 2:
            recipe, loss, bare, name = DCGANRecipe(DCGANConfig(size=args.size)), "bce", bare_loop, "dcgan"
        else:
            cls = load_recipe_class(str(Path(__file__).resolve().parent.parent / "tests" / "recipes" / "cycle_toy.py"))
            recipe, loss, bare, name = cls(cls.Config(size=args.size, width=args.width)), "lsgan", bare_four, f"cycle_toy width {args.width}"
        dataset = recipe.dataset(data)
        print(f"{name}: {len(dataset)} RGB {args.size}x{args.size} photo patches; batch {args.batch}; {args.steps} steps a run; "
              f"torch {torch.__version__}, {torch.get_num_threads()} threads")
        bare(recipe, dataset, WARMUP + 1, args.batch, 0)  # warm-up: allocator, kernels
        runs: dict[str, list[tuple[float, float]]] = {"bare": [], "trainer": [], "trainer+EMA": []}
        measure = {
            "bare": lambda r: bare(recipe, dataset, args.steps, args.batch, r),
            "trainer": lambda r: trainer_run(recipe, dataset, args.steps, args.batch, r, 0.0, Path(tmp) / f"run{r}", loss),
            "trainer+EMA": lambda r: trainer_run(recipe, dataset, args.steps, args.batch, r, 0.999, Path(tmp) / f"ema{r}", loss),
        }
        for r in range(args.repeats):
            for kind in (list(measure) if r % 2 == 0 else list(reversed(measure))):  # the order alternates: no side gains from going first
                runs[kind].append(measure[kind](r))
            print("  round %d: " % (r + 1) + "  ".join(f"{k} {v[-1][0]:.3f}" for k, v in runs.items()) + " steps/s (steady)", flush=True)
    steady = {k: statistics.median(x[0] for x in v) for k, v in runs.items()}
    whole = {k: statistics.median(x[1] for x in v) for k, v in runs.items()}
    print(f"bare loop            {steady['bare']:.3f} steps/s steady, {whole['bare']:.3f} whole run")
    print(f"Trainer.fit          {steady['trainer']:.3f} steps/s steady, {whole['trainer']:.3f} whole run")
    print(f"ratio                {steady['trainer'] / steady['bare']:.3f} steady (target >= 0.95), {whole['trainer'] / whole['bare']:.3f} whole run")
    print(f"Trainer.fit + EMA    {steady['trainer+EMA']:.3f} steps/s steady  ({name} {args.size}x{args.size}, batch {args.batch})")


if __name__ == "__main__":
    main()
