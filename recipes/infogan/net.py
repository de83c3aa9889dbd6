"""InfoGAN's networks (Chen et al. 2016) on the DCGAN trunk: G(z, c), and D and Q sharing D's trunk.

G takes one standard-normal vector (noise, then K + n_cont "code" entries) and turns the code entries into the
codes it is trained with: the categorical one is the argmax of its K entries (uniform over the K values), each
continuous one is erf(x / sqrt 2) (uniform on [-1, 1]). So z ~ N(0, I) samples, interpolates and measures
batch-norm statistics like any latent generator, and `from_codes` sets the codes by hand.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from gantools.nets.dcgan import DCGANDiscriminator, DCGANGenerator


class InfoGenerator(nn.Module):
    n_classes = 0  # no labels: the codes ride inside z

    def __init__(self, noise: int, categories: int, continuous: int, channels: int, size: int, base: int, noise_std: float = 1.0):
        super().__init__()
        self.noise, self.categories, self.continuous, self.noise_std = noise, categories, continuous, noise_std
        self.z_dim = noise + categories + continuous
        self.net = DCGANGenerator(self.z_dim, channels, size, base)

    def codes_of(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The categorical index (N,) and continuous values (N, n_cont) a latent stands for."""
        n, k = self.noise, self.categories
        return z[:, n : n + k].argmax(1), torch.erf(z[:, n + k :] / math.sqrt(2.0))

    def from_codes(self, noise: torch.Tensor, index: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        # noise_std < 1 shrinks what the noise can vary, so the codes carry the main factors (ClusterGAN's σ = 0.1).
        return self.net(torch.cat([noise * self.noise_std, F.one_hot(index, self.categories).to(noise.dtype), values.to(noise.dtype)], 1))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        index, values = self.codes_of(z)
        return self.from_codes(z[:, : self.noise], index, values)


class InfoDiscriminator(DCGANDiscriminator):
    """DCGAN's D; `embedding` is the trunk's feature vector that Q reads too."""

    def embedding(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.out(self.embedding(x)).view(-1)


class QHead(nn.Module):
    """Q(c | x) from D's trunk features: logits of the categorical code, mean and log-variance of each continuous one."""

    def __init__(self, features: int, categories: int, continuous: int, hidden: int = 128, overcluster: int = 0):
        super().__init__()
        self.categories, self.continuous = categories, continuous
        self.net = nn.Sequential(nn.Linear(features, hidden), nn.BatchNorm1d(hidden), nn.LeakyReLU(0.2, True),
                                 nn.Linear(hidden, categories + 2 * continuous))
        # Used in training only: more clusters than codes on the same features (IIC's auxiliary over-clustering head).
        self.over = nn.Linear(hidden, overcluster) if overcluster else None

    def forward(self, h: torch.Tensor, with_over: bool = False):
        hidden = self.net[:3](h)
        out = self.net[3](hidden)
        k, c = self.categories, self.continuous
        heads = out[:, :k], out[:, k : k + c], out[:, k + c :]
        return (*heads, self.over(hidden)) if with_over else heads
