"""CycleGAN's ResNet generator, compact: down twice, residual blocks, up twice by resize + conv.

Instance norm and reflection padding as in Zhu et al. 2017; upsampling by nearest resize then a 3x3 conv
instead of transposed convs, so there is no checkerboard. Fully convolutional: any size that is a multiple
of `multiple` goes in and comes out at the same size.
"""

from __future__ import annotations

import torch
from torch import nn


def _conv(c_in: int, c_out: int, kernel: int, stride: int = 1, act: bool = True) -> list[nn.Module]:
    layers: list[nn.Module] = [nn.ReflectionPad2d(kernel // 2), nn.Conv2d(c_in, c_out, kernel, stride), nn.InstanceNorm2d(c_out)]
    return layers + ([nn.ReLU(True)] if act else [])


class _Residual(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(*_conv(channels, channels, 3), *_conv(channels, channels, 3, act=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    multiple = 4  # two stride-2 convs
    smallest = 16  # shorter sides break reflection padding and instance norm at 1/4 (callers pad up to this)

    def __init__(self, channels: int = 3, base: int = 32, blocks: int = 6):
        super().__init__()
        layers = _conv(channels, base, 7) + _conv(base, base * 2, 3, 2) + _conv(base * 2, base * 4, 3, 2)
        layers += [_Residual(base * 4) for _ in range(blocks)]
        layers += [nn.Upsample(scale_factor=2, mode="nearest"), *_conv(base * 4, base * 2, 3)]
        layers += [nn.Upsample(scale_factor=2, mode="nearest"), *_conv(base * 2, base, 3)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(base, channels, 7), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
