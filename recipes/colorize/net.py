"""ColorNet: what the teacher knows about the scene, fused into a small encoder-decoder over luminance.

The teacher (frozen ImageNet InceptionV3 stages, gantools.nets.inception_trunk) sees the gray image at
half the working size; its mid-level map (mixed_2, "where are textures and parts") and its last map
(what objects are there, plus their global mean) are projected and joined to the luminance features at
1/16 of the working size. The decoder returns logits over ab bins at 1/4 of the working size: colour is
smooth, and the caller keeps the full-resolution luminance.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .bins import gamut_bins

MULTIPLE = 32  # input sides must be multiples of this (4x pixel-unshuffle, then 3 halvings)


def _conv(c_in: int, c_out: int, k: int = 3) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


def teacher_input(L: torch.Tensor, scale: float) -> torch.Tensor:
    """Scaled L (N, 1, H, W) in [-1, 1] -> the teacher's 3-channel gray input, resized by `scale`."""
    small = F.interpolate(L, scale_factor=scale, mode="bilinear", antialias=True, align_corners=False) if scale != 1 else L
    return small.expand(-1, 3, -1, -1)


class ColorNet(nn.Module):
    multiple = MULTIPLE

    def __init__(self, mid_channels: int, top_channels: int, base: int = 32):
        super().__init__()
        c = base
        self.register_buffer("ab_bins", gamut_bins())  # saved with the weights: decoding uses exactly the trained bins
        q = self.ab_bins.shape[0]
        self.enc1 = nn.Sequential(_conv(16, c), _conv(c, c))
        self.enc2 = nn.Sequential(_conv(c, 2 * c), _conv(2 * c, 2 * c))
        self.enc3 = nn.Sequential(_conv(2 * c, 4 * c), _conv(4 * c, 4 * c))
        self.mid = _conv(mid_channels, 2 * c, 1)
        self.top = _conv(top_channels, 4 * c, 1)
        self.glob = nn.Sequential(nn.Linear(top_channels, 4 * c), nn.ReLU(inplace=True))
        self.fuse = nn.Sequential(_conv(4 * c + 2 * c + 4 * c + 4 * c, 4 * c, 1), _conv(4 * c, 4 * c), _conv(4 * c, 4 * c))
        self.up2 = _conv(4 * c + 2 * c, 2 * c)
        self.up1 = _conv(2 * c + c, c)
        self.head = nn.Conv2d(c, q, 1)

    def forward(self, L: torch.Tensor, mid: torch.Tensor, top: torch.Tensor) -> torch.Tensor:
        e1 = self.enc1(F.pixel_unshuffle(L, 4))
        e2 = self.enc2(F.avg_pool2d(e1, 2))
        e3 = self.enc3(F.avg_pool2d(e2, 2))
        size = e3.shape[-2:]
        g = self.glob(top.mean((2, 3)))[:, :, None, None].expand(-1, -1, *size)
        m = F.interpolate(self.mid(mid), size=size, mode="bilinear", align_corners=False)
        t = F.interpolate(self.top(top), size=size, mode="bilinear", align_corners=False)
        h = self.fuse(torch.cat([e3, m, t, g], 1))
        h = self.up2(torch.cat([F.interpolate(h, size=e2.shape[-2:], mode="bilinear", align_corners=False), e2], 1))
        h = self.up1(torch.cat([F.interpolate(h, size=e1.shape[-2:], mode="bilinear", align_corners=False), e1], 1))
        return self.head(h)
