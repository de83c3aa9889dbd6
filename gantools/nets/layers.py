"""Small layers that discriminators and generators share."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrizations


def maybe_sn(module: nn.Module, enabled: bool) -> nn.Module:
    """Spectral normalisation (Miyato et al. 2018) keeps D 1-Lipschitz-ish: steadier adversarial training.
    Not on the meta device, where networks are built only to be counted (the same parameters either way) and its
    first power iteration costs 2 s (it imports torch._dynamo), paid by every model load before."""
    if not enabled or module.weight.device.type == "meta":
        return module
    return parametrizations.spectral_norm(module)


class MinibatchStdDev(nn.Module):
    """Appends the batch's feature standard deviation as one channel (Karras et al. 2018).

    D can then see when a batch of fakes lacks variety, which punishes mode collapse.
    """

    def __init__(self, group_size: int = 4):
        super().__init__()
        self.group_size = group_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        g = min(self.group_size, n)
        if n % g:
            g = 1 if n < 2 else next(s for s in range(g, 0, -1) if n % s == 0)
        if g < 2:
            return torch.cat([x, torch.zeros(n, 1, h, w, dtype=x.dtype, device=x.device)], dim=1)
        y = x.reshape(g, -1, c, h, w)
        std = (y.var(dim=0, unbiased=False) + 1e-8).sqrt().mean(dim=[1, 2, 3])  # one value per group member set
        std = std.view(-1, 1, 1, 1).repeat(g, 1, h, w)
        return torch.cat([x, std], dim=1)


class Projection(nn.Module):
    """Class projection (Miyato & Koyama 2018): adds <embed(y), features> to D's logit."""

    def __init__(self, n_classes: int, features: int, spectral_norm: bool):
        super().__init__()
        self.embed = maybe_sn(nn.Embedding(n_classes, features), spectral_norm)

    def forward(self, features: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return (self.embed(labels) * features).sum(dim=1, keepdim=True)
