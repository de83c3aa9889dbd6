"""Compact conditional U-Net generator (pix2pix family) with resize-then-conv upsampling.

Upsampling by bilinear resize + 3x3 conv instead of transposed convs avoids checkerboard artefacts.
The full-resolution level has a single conv on the way in and out; the double-conv blocks start one
level down, which keeps the cost a fraction of pix2pix's unet_256 while the skip keeps edges sharp.
With `shrink` > 1 the input is folded into channels (pixel-unshuffle) and the whole U-Net runs at
1/shrink resolution; the output is resized back bilinearly. Colorization uses this: chroma is smooth,
the full-resolution detail comes from the luminance the caller keeps, and the net runs shrink**2 faster.
Any input whose sides are multiples of `multiple` works; callers pad to that.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _block(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2, True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2, True),
    )


class UNet(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, base: int = 32, depth: int = 4, max_channels: int = 256, shrink: int = 1):
        super().__init__()
        self.depth, self.shrink = depth, shrink
        widths = [min(base * 2**i, max_channels) for i in range(depth + 1)]
        self.stem = nn.Sequential(nn.Conv2d(in_channels * shrink**2, widths[0], 3, padding=1), nn.LeakyReLU(0.2, True))
        self.down = nn.ModuleList(_block(widths[i], widths[i + 1]) for i in range(depth))
        self.up = nn.ModuleList(_block(widths[i + 2] + widths[i + 1], widths[i + 1]) for i in reversed(range(depth - 1)))
        self.last = nn.Sequential(nn.Conv2d(widths[1] + widths[0], widths[0], 3, padding=1), nn.LeakyReLU(0.2, True))
        self.head = nn.Sequential(nn.Conv2d(widths[0], out_channels, 1), nn.Tanh())

    @property
    def multiple(self) -> int:
        """Input sides must be multiples of this."""
        return self.shrink * 2**self.depth

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.shape[-2:]
        skips = [self.stem(F.pixel_unshuffle(x, self.shrink) if self.shrink > 1 else x)]
        for block in self.down:
            skips.append(block(F.avg_pool2d(skips[-1], 2)))
        h = skips.pop()
        for block in self.up:
            skip = skips.pop()
            h = block(torch.cat([F.interpolate(h, size=skip.shape[-2:], mode="bilinear", align_corners=False), skip], dim=1))
        skip = skips.pop()
        h = self.last(torch.cat([F.interpolate(h, size=skip.shape[-2:], mode="bilinear", align_corners=False), skip], dim=1))
        out = self.head(h)
        return F.interpolate(out, size=size, mode="bilinear", align_corners=False) if self.shrink > 1 else out
