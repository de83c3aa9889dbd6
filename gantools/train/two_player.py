"""The seeds' algorithm, written once: one generator G, one discriminator D, three phases.

  pretrain (optional, steps < pretrain_steps): G on the recipe's reconstruction terms alone.
  d (d_steps times a step, each on a fresh batch): real pairs "real", G(condition).detach() "fake"; step D.
  g (from pretrain_steps + d_warmup on): D frozen, G's fakes judged by D as "real" + reconstruction; step G.
The g phase reuses the last d batch and its fakes, made with G's graph kept, so G runs forward once a step.
A recipe of this family implements only make_pair, build_generator, build_discriminator and, where it
needs them, d_view and reconstruction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from gantools.errors import UserError
from gantools.recipe import Recipe
from gantools.train.phases import Phase, PhaseContext
from gantools.train.trainconfig import TrainConfig


@dataclass
class Pair:
    """One training batch as the two players see it: what G is given, and the real image it should match."""

    condition: tuple[torch.Tensor, ...]
    target: torch.Tensor


class TwoPlayerRecipe(Recipe):
    networks = ("G", "D")
    ema_networks = ("G",)
    export_networks = ("G",)

    # --- what a two-player recipe implements ------------------------------------------------------
    def make_pair(self, batch: Any, device: torch.device) -> Pair:
        """A collated batch of raw samples -> (condition, target) on `device`, tensors in [-1, 1]."""
        raise NotImplementedError

    def build_generator(self) -> nn.Module:
        raise NotImplementedError

    def build_discriminator(self) -> nn.Module:
        raise NotImplementedError

    def generate(self, generator: nn.Module, condition: tuple[torch.Tensor, ...]) -> torch.Tensor:
        return generator(*condition)

    def d_view(self, condition: tuple[torch.Tensor, ...], image: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """What D judges: an image-like tensor (augmented by DiffAugment, penalised by R1) and extra inputs.

        Unconditional default: the image alone. A pix2pix recipe stacks condition and image; a
        class-conditional one passes labels as a keyword."""
        return image, {}

    def reconstruction(self, fake: torch.Tensor, pair: Pair) -> dict[str, torch.Tensor]:
        """Weighted reconstruction terms added to G's loss (and the whole loss in pre-training)."""
        return {}

    def preview(self, generator: nn.Module, condition: tuple[torch.Tensor, ...], extra: Any) -> tuple[torch.Tensor, int]:
        """Images in [-1, 1] to put in a grid, and the grid's row length."""
        images = self.generate(generator, condition)
        return images, max(1, int(images.shape[0] ** 0.5))

    # --- the contract, filled in --------------------------------------------------------------------
    def build(self) -> dict[str, nn.Module]:
        return {"G": self.build_generator(), "D": self.build_discriminator()}

    def has_reconstruction(self) -> bool:
        return type(self).reconstruction is not TwoPlayerRecipe.reconstruction

    def phases(self, cfg: TrainConfig) -> list[Phase]:
        pre, betas = cfg.pretrain_steps, (cfg.beta1, cfg.beta2)
        if pre and not self.has_reconstruction():
            raise UserError(f"pretrain_steps={pre}, but recipe '{self.name}' has no reconstruction loss")
        phases = [Phase("pretrain", ("G",), self._pretrain_loss, cfg.lr_g, betas, stop=pre)] if pre else []
        phases.append(Phase("d", ("D",), self._d_loss, cfg.lr_d, betas, start=pre, repeats=cfg.d_steps, keeps_graph_of=("G",)))
        phases.append(Phase("g", ("G",), self._g_loss, cfg.lr_g, betas, start=pre + cfg.d_warmup, new_batch=False))
        return phases

    def _pretrain_loss(self, ctx: PhaseContext) -> dict[str, torch.Tensor]:
        pair = self.make_pair(ctx.batch, ctx.device)
        return self.reconstruction(self.generate(ctx.nets["G"], pair.condition), pair)

    def _d_loss(self, ctx: PhaseContext) -> dict[str, torch.Tensor]:
        pair = self.make_pair(ctx.batch, ctx.device)
        if ctx.keeps_graph("G") and ctx.last_repeat:  # the g phase backpropagates through these very fakes
            fake = self.generate(ctx.nets["G"], pair.condition)
        else:
            with torch.no_grad():
                fake = self.generate(ctx.nets["G"], pair.condition)
        ctx.scratch["pair"], ctx.scratch["fake"] = pair, fake
        real_view = self.d_view(pair.condition, pair.target)
        fake_view = self.d_view(pair.condition, fake.detach())
        return ctx.adversary.d_terms(ctx.nets["D"], real_view, fake_view, log=ctx.log)

    def _g_loss(self, ctx: PhaseContext) -> dict[str, torch.Tensor]:
        pair, fake = ctx.scratch.get("pair"), ctx.scratch.get("fake")
        if fake is None or not fake.requires_grad:  # no d phase ran before this one in the step
            pair = self.make_pair(ctx.batch, ctx.device)
            fake = self.generate(ctx.nets["G"], pair.condition)
        # The bare D: it takes no gradient here, so there is nothing to all-reduce.
        terms = {"adv": ctx.adversary.g_term(ctx.nets["D"], self.d_view(pair.condition, fake))}
        terms.update(self.reconstruction(fake, pair))
        return terms

    def preview_images(self, networks: dict[str, nn.Module], prepared: Any) -> tuple[torch.Tensor, int]:
        condition, extra = prepared
        return self.preview(networks["G"], condition, extra)


class ConditionalImageRecipe(TwoPlayerRecipe):
    """pix2pix family: D judges (condition, image) stacked as channels; G adds `config.l1_weight` x L1."""

    def d_view(self, condition, image):
        return torch.cat([condition[0], image], dim=1), {}

    def reconstruction(self, fake, pair):
        from gantools.train.losses import l1

        return {"l1": self.config.l1_weight * l1(fake, pair.target)}
