"""Class-conditional generator for small data: conditional batch norm in residual up-blocks (SNGAN/BigGAN style).

Each BN's scale and shift come from the class (de Vries et al. 2017), so every layer knows the class,
not only the input noise. Upsampling is nearest-neighbour + 3x3 conv (no checkerboard).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class ConditionalBatchNorm2d(nn.Module):
    def __init__(self, channels: int, n_classes: int):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.gain = nn.Embedding(n_classes, channels)
        self.bias = nn.Embedding(n_classes, channels)
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return self.bn(x) * self.gain(labels)[:, :, None, None] + self.bias(labels)[:, :, None, None]


class UpBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, n_classes: int):
        super().__init__()
        self.bn1, self.bn2 = ConditionalBatchNorm2d(c_in, n_classes), ConditionalBatchNorm2d(c_out, n_classes)
        self.conv1, self.conv2 = nn.Conv2d(c_in, c_out, 3, padding=1), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        h = F.interpolate(F.relu(self.bn1(x, labels)), scale_factor=2, mode="nearest")
        h = self.conv2(F.relu(self.bn2(self.conv1(h), labels)))
        return h + self.skip(F.interpolate(x, scale_factor=2, mode="nearest"))


class CBNGenerator(nn.Module):
    """z (and a class) -> a size x size image in [-1, 1]; size a power of two from 16 to 128."""

    def __init__(self, z_dim: int, channels: int, size: int, n_classes: int, base: int = 32, max_channels: int = 256):
        super().__init__()
        levels = int(math.log2(size)) - 2
        if size < 16 or 2 ** (levels + 2) != size:
            raise ValueError(f"image size must be a power of two from 16, got {size}")
        widths = [min(base * 2**i, max_channels) for i in reversed(range(levels + 1))]
        self.z_dim, self.n_classes, self.width0 = z_dim, n_classes, widths[0]
        self.stem = nn.Linear(z_dim, 4 * 4 * widths[0])
        self.blocks = nn.ModuleList(UpBlock(a, b, n_classes) for a, b in zip(widths[:-1], widths[1:]))
        self.out_bn = nn.BatchNorm2d(widths[-1])
        self.to_image = nn.Conv2d(widths[-1], channels, 3, padding=1)

    def forward(self, z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        h = self.stem(z).view(z.shape[0], self.width0, 4, 4)
        for block in self.blocks:
            h = block(h, labels)
        return torch.tanh(self.to_image(F.relu(self.out_bn(h))))
