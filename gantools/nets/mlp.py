"""The textbook GAN (Goodfellow et al. 2014): two linear layers in G and in D."""

from __future__ import annotations

import torch
from torch import nn

from gantools.nets.layers import Projection, maybe_sn


class MLPGenerator(nn.Module):
    def __init__(self, z_dim: int, channels: int, size: int, hidden: int = 512, n_classes: int = 0):
        super().__init__()
        self.z_dim, self.n_classes, self.shape = z_dim, n_classes, (channels, size, size)
        self.embed = nn.Embedding(n_classes, z_dim) if n_classes else None
        self.net = nn.Sequential(
            nn.Linear(z_dim * (2 if n_classes else 1), hidden),
            nn.LeakyReLU(0.2, True),
            nn.Linear(hidden, channels * size * size),
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.embed is not None:
            z = torch.cat([z, self.embed(labels)], dim=1)
        return self.net(z).view(z.shape[0], *self.shape)


class MLPDiscriminator(nn.Module):
    def __init__(self, channels: int, size: int, hidden: int = 512, n_classes: int = 0, spectral_norm: bool = False):
        super().__init__()
        self.hidden = nn.Sequential(
            nn.Flatten(), maybe_sn(nn.Linear(channels * size * size, hidden), spectral_norm), nn.LeakyReLU(0.2, True)
        )
        self.out = maybe_sn(nn.Linear(hidden, 1), spectral_norm)
        self.project = Projection(n_classes, hidden, spectral_norm) if n_classes else None

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.hidden(x)
        logit = self.out(h)
        if self.project is not None:
            logit = logit + self.project(h, labels)
        return logit.view(-1)
