"""A user recipe with four networks (two generators, two discriminators), CycleGAN-shaped and tiny.

Domain A is the class-folder images, domain B the same images colour-inverted; the recipe does not need
to be any good, only to exercise the contract: named networks, two phases of two networks each, an image
pool kept in the recipe's own state, the shared adversarial losses. Used by the tests and by
benchmarks/trainer_overhead.py (`gantools train tests/recipes/cycle_toy.py --data DIR --out RUN` runs it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from gantools.config import setting
from gantools.data.folders import SquareImages, list_data
from gantools.files.imageio import Decoded, as_channels
from gantools.infer.predictor import Job, Predictor
from gantools.recipe import Recipe
from gantools.train.losses import l1
from gantools.train.phases import Phase, PhaseContext


@dataclass
class CycleToyConfig:
    size: int = setting("image side", 16)
    width: int = setting("channels of every conv", 8)
    cycle_weight: float = setting("weight of the cycle loss", 10.0)
    pool: int = setting("past fakes kept per discriminator", 4)


def generator(width: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.ReLU(), nn.Conv2d(width, 3, 3, padding=1), nn.Tanh())


def discriminator(width: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(3, width, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(width, 1, 4, 2, 1))


class CycleToy(Recipe):
    name = "cycle_toy"
    summary = "four tiny networks in two phases (test recipe)"
    Config = CycleToyConfig
    train_defaults = {"loss": "lsgan", "batch_size": 4, "ema_decay": 0.0}
    ema_networks = ("G_AB", "G_BA")
    export_networks = ("G_AB", "G_BA")

    def __init__(self, config, classes=None):
        super().__init__(config, classes)
        self.pools: dict[str, torch.Tensor | None] = {"A": None, "B": None}

    def dataset(self, data: str | Path):
        return SquareImages(list_data(data, conditional=False), 3, self.config.size)

    def build(self):
        w = self.config.width
        return {"G_AB": generator(w), "G_BA": generator(w), "D_A": discriminator(w), "D_B": discriminator(w)}

    def phases(self, cfg):
        betas = (cfg.beta1, cfg.beta2)
        return [Phase("g", ("G_AB", "G_BA"), self.g_loss, cfg.lr_g, betas),
                Phase("d", ("D_A", "D_B"), self.d_loss, cfg.lr_d, betas, new_batch=False)]

    def domains(self, batch, device):
        a = batch[0].to(device).float().div(127.5).sub(1.0)
        return a, -a

    def g_loss(self, ctx: PhaseContext):
        a, b = self.domains(ctx.batch, ctx.device)
        n = ctx.nets
        fake_b, fake_a = n["G_AB"](a), n["G_BA"](b)
        ctx.scratch.update(a=a, b=b, fake_a=fake_a.detach(), fake_b=fake_b.detach())
        adv = ctx.adversary.g_term(n["D_B"], (fake_b, {})) + ctx.adversary.g_term(n["D_A"], (fake_a, {}))
        cycle = l1(n["G_BA"](fake_b), a) + l1(n["G_AB"](fake_a), b)
        return {"adv": adv, "cycle": self.config.cycle_weight * cycle}

    def pooled(self, domain: str, fakes: torch.Tensor) -> torch.Tensor:
        """Half the time a past fake from the pool instead of the new one (CycleGAN's image pool)."""
        pool = self.pools[domain]
        if pool is None or pool.shape[0] < self.config.pool:
            self.pools[domain] = fakes if pool is None else torch.cat([pool, fakes])[: self.config.pool]
            return fakes
        out = []
        for image in fakes:  # one at a time: a slot drawn twice in one batch is then still well defined
            if bool(torch.rand(()) < 0.5):
                slot = int(torch.randint(0, pool.shape[0], ()))
                out.append(pool[slot].clone())
                pool[slot] = image
            else:
                out.append(image)
        return torch.stack(out)

    def d_loss(self, ctx: PhaseContext):
        s, n = ctx.scratch, ctx.nets
        terms_a = ctx.adversary.d_terms(n["D_A"], (s["a"], {}), (self.pooled("A", s["fake_a"]), {}), name="D_A", log=ctx.log)
        terms_b = ctx.adversary.d_terms(n["D_B"], (s["b"], {}), (self.pooled("B", s["fake_b"]), {}), name="D_B", log=ctx.log)
        return {f"a_{k}": v for k, v in terms_a.items()} | {f"b_{k}": v for k, v in terms_b.items()}

    def state_dict(self):
        return {"pools": {k: v for k, v in self.pools.items() if v is not None}}

    def load_state_dict(self, state):
        self.pools.update(state.get("pools", {}))

    def preview_condition(self, dataset, n, device, generator):
        index = torch.randperm(len(dataset), generator=generator)[: min(n, 4)]
        return torch.stack([dataset[int(i)][0] for i in index]).to(device).float().div(127.5).sub(1.0)

    def preview_images(self, networks, prepared):
        return torch.cat([prepared, networks["G_AB"](prepared)]), prepared.shape[0]

    def predictor(self, networks, device):
        return CycleToyPredictor(self, networks, device)


class CycleToyPredictor(Predictor):
    """Domain A to B at the image's own size (the nets are fully convolutional)."""

    network = "G_AB"

    def prepare(self, decoded: Decoded) -> Job:
        rgb = as_channels(decoded, 3)
        return Job(torch.from_numpy(rgb.transpose(2, 0, 1).copy()).float() / 127.5 - 1.0, decoded)

    def finish(self, job: Job, output: torch.Tensor) -> Decoded:
        pixels = ((output.clamp(-1, 1) + 1.0) * 127.5).round().byte().permute(1, 2, 0).numpy()
        return Decoded(pixels, job.state.alpha, list(job.state.notes))


RECIPE = CycleToy
