"""Compact super-resolution generator: residual blocks at low resolution, pixel-shuffle upsampling.

All convolutions run on the small input; one conv makes scale**2 sub-pixel maps per output channel
and PixelShuffle arranges them (no transposed convs, no checkerboard). The net learns only the detail
missing from a bilinear upscale of its input, which is added back at the end: training starts from a
sensible image and the residual it has to learn is small.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class _Residual(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(True), nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class CompactSR(nn.Module):
    def __init__(self, scale: int, channels: int = 32, blocks: int = 8, in_channels: int = 3):
        super().__init__()
        self.scale, self.blocks = scale, blocks
        self.head = nn.Conv2d(in_channels, channels, 3, padding=1)
        self.body = nn.Sequential(*[_Residual(channels) for _ in range(blocks)], nn.Conv2d(channels, channels, 3, padding=1))
        self.up = nn.Sequential(nn.Conv2d(channels, in_channels * scale**2, 3, padding=1), nn.PixelShuffle(scale))

    @property
    def receptive_radius(self) -> int:
        """Input pixels each side that reach one output pixel: tiles need at least this much context."""
        return 3 + 2 * self.blocks  # head, two convs per block, the body's last conv, the upsampling conv

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.head(x)
        h = h + self.body(h)
        base = F.interpolate(x, scale_factor=self.scale, mode="bilinear", align_corners=False)
        return base + self.up(h)
