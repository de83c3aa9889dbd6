"""DCGAN (Radford et al. 2015): strided (transposed) convolutions, BN, ReLU in G, LeakyReLU in D, tanh out."""

from __future__ import annotations

import math

import torch
from torch import nn

from gantools.nets.layers import MinibatchStdDev, Projection, maybe_sn


def _levels(size: int) -> int:
    """Number of x2 steps between 4x4 and `size` (a power of two from 8 up)."""
    levels = int(math.log2(size)) - 2
    if size < 8 or 2 ** (levels + 2) != size:
        raise ValueError(f"image size must be a power of two >= 8, got {size}")
    return levels


class DCGANGenerator(nn.Module):
    def __init__(self, z_dim: int, channels: int, size: int, base: int = 64, n_classes: int = 0, max_channels: int = 512):
        super().__init__()
        self.z_dim, self.n_classes = z_dim, n_classes
        levels = _levels(size)
        widths = [min(base * 2 ** i, max_channels) for i in reversed(range(levels))]
        # CGAN: the label enters as a learned embedding beside z.
        self.embed = nn.Embedding(n_classes, z_dim) if n_classes else None
        in_dim = z_dim * (2 if n_classes else 1)
        self.stem = nn.Sequential(
            nn.ConvTranspose2d(in_dim, widths[0], 4, 1, 0, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(True)
        )
        blocks = []
        for w_in, w_out in zip(widths[:-1], widths[1:]):
            blocks += [nn.ConvTranspose2d(w_in, w_out, 4, 2, 1, bias=False), nn.BatchNorm2d(w_out), nn.ReLU(True)]
        self.blocks = nn.Sequential(*blocks)
        self.to_image = nn.Sequential(nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1), nn.Tanh())
        self.apply(_dcgan_init)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(labels)], dim=1)
        return self.to_image(self.blocks(self.stem(z.view(z.shape[0], -1, 1, 1))))


class DCGANDiscriminator(nn.Module):
    def __init__(
        self,
        channels: int,
        size: int,
        base: int = 64,
        n_classes: int = 0,
        spectral_norm: bool = False,
        minibatch_std: bool = False,
        max_channels: int = 512,
    ):
        super().__init__()
        levels = _levels(size)
        widths = [min(base * 2**i, max_channels) for i in range(levels)]
        layers: list[nn.Module] = [maybe_sn(nn.Conv2d(channels, widths[0], 4, 2, 1), spectral_norm), nn.LeakyReLU(0.2, True)]
        for w_in, w_out in zip(widths[:-1], widths[1:]):
            layers.append(maybe_sn(nn.Conv2d(w_in, w_out, 4, 2, 1, bias=spectral_norm), spectral_norm))
            if not spectral_norm:  # BN and SN both tame D; stacking them only slows it
                layers.append(nn.BatchNorm2d(w_out))
            layers.append(nn.LeakyReLU(0.2, True))
        self.features = nn.Sequential(*layers)
        self.mbstd = MinibatchStdDev() if minibatch_std else None
        last = widths[-1] + (1 if minibatch_std else 0)
        self.head = nn.Sequential(maybe_sn(nn.Conv2d(last, widths[-1], 4, 1, 0), spectral_norm), nn.LeakyReLU(0.2, True), nn.Flatten())
        self.out = maybe_sn(nn.Linear(widths[-1], 1), spectral_norm)
        self.project = Projection(n_classes, widths[-1], spectral_norm) if n_classes else None
        self.apply(_dcgan_init)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x)
        if self.mbstd is not None:
            h = self.mbstd(h)
        h = self.head(h)
        logit = self.out(h)
        if self.project is not None:
            logit = logit + self.project(h, labels)
        return logit.view(-1)


def _dcgan_init(m: nn.Module) -> None:
    """The DCGAN paper's N(0, 0.02) weights; BN scale around 1."""
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and not hasattr(m, "parametrizations"):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)
