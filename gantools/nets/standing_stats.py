"""BatchNorm "standing statistics" (Brock et al. 2018, BigGAN): the running means and variances a generator's BN
layers use at sampling time, recomputed from its own outputs over many noise draws.

Why: the EMA generator's weights average the last ~1/(1 - decay) steps, but its BN buffers are copied from the
live G, so they describe other weights; and truncated noise has a smaller spread than the noise they saw.
"""

from __future__ import annotations

from typing import Callable, Iterable

import torch
from torch import nn


@torch.no_grad()
def recompute(generator: nn.Module, conditions: Iterable[tuple[torch.Tensor, ...]],
              forward: Callable[[nn.Module, tuple[torch.Tensor, ...]], torch.Tensor]) -> None:
    """Reset every BN layer's statistics and set them to the plain average over the batches of `conditions`."""
    norms = [m for m in generator.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats]
    if not norms:
        return
    was_training, momenta = generator.training, [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # None: a cumulative average, so every batch counts the same
    generator.train()
    try:
        for condition in conditions:
            forward(generator, condition)
    finally:
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        generator.train(was_training)


DRAWS = 1024  # noise draws behind the BN statistics a latent generator samples with


def for_latent_generator(recipe, generator: nn.Module,
                         noise: Callable[[int, torch.Generator], torch.Tensor] | None = None, batch: int = 64) -> None:
    """Statistics of a z -> image generator over DRAWS draws of `noise` (default z ~ N(0, I)), seed 0 so the result
    never varies, the classes in turn when it is conditional. The generator declares `z_dim` and `n_classes`;
    the recipe's `generate` runs it."""
    device = next(generator.parameters()).device
    draw = noise or (lambda n, g: torch.randn(n, generator.z_dim, generator=g))
    rng = torch.Generator().manual_seed(0)

    def batches():
        for _ in range(DRAWS // batch):
            z = draw(batch, rng).to(device)
            yield (z, (torch.arange(batch) % generator.n_classes).to(device)) if generator.n_classes else (z,)

    recompute(generator, batches(), recipe.generate)


def bn_buffers(generator: nn.Module) -> dict[str, torch.Tensor]:
    """A copy of the BN statistics, to put back with `generator.load_state_dict(..., strict=False)`."""
    return {k: v.clone() for k, v in generator.state_dict().items() if k.endswith(("running_mean", "running_var", "num_batches_tracked"))}
