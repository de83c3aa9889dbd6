"""PatchGAN discriminator (Isola et al. 2017): one real/fake logit per overlapping patch."""

from __future__ import annotations

import torch
from torch import nn

from gantools.nets.layers import MinibatchStdDev, maybe_sn


class PatchGAN(nn.Module):
    """`minibatch_std`: the batch's feature spread joins the last layer, so D can see a batch of fakes that all look alike."""

    def __init__(self, in_channels: int, base: int = 64, layers: int = 3, spectral_norm: bool = True, minibatch_std: bool = False):
        super().__init__()
        seq: list[nn.Module] = [maybe_sn(nn.Conv2d(in_channels, base, 4, 2, 1), spectral_norm), nn.LeakyReLU(0.2, True)]
        width = base
        for i in range(1, layers + 1):
            nxt = min(base * 2**i, 512)
            stride = 2 if i < layers else 1
            seq += [maybe_sn(nn.Conv2d(width, nxt, 4, stride, 1), spectral_norm), nn.LeakyReLU(0.2, True)]
            width = nxt
        if minibatch_std:
            seq.append(MinibatchStdDev())
        seq.append(maybe_sn(nn.Conv2d(width + int(minibatch_std), 1, 4, 1, 1), spectral_norm))
        self.net = nn.Sequential(*seq)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
