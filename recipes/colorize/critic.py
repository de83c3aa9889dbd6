"""The optional adversarial term of colorize: a PatchGAN that judges (L, ab) pairs at the colour's resolution.

Cross-entropy alone rewards the safe, muted mean wherever a colour is unsure; a critic that has seen real
photos' colours next to their luminance penalises that grayness where real photos are seldom gray (sky,
grass, skin) and leaves it where they are. It judges the annealed mean at the inference temperature, i.e.
the colours users get, and it is used only in training: the exported model is the same T + G as without it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gantools.nets.patchgan import PatchGAN

from .lab import AB_SCALE


def build_critic(base: int) -> PatchGAN:
    """(L, a, b) at 1/4 of the crop (56x56 for 224) -> patch logits; 3 layers see about 70 of its pixels."""
    return PatchGAN(3, base, 3, spectral_norm=True)


def pair(L: torch.Tensor, ab: torch.Tensor) -> torch.Tensor:
    """L (N, 1, H, W) in [-1, 1] at any size and ab (N, 2, h, w) in ab units -> (N, 3, h, w) in about [-1, 1]."""
    return torch.cat([F.adaptive_avg_pool2d(L, ab.shape[-2:]), ab / AB_SCALE], 1)


def chroma(pairs: torch.Tensor) -> torch.Tensor:
    """Mean chroma (|ab|, in ab units) of a batch of pairs: a figure to watch the critic's pull by."""
    return pairs[:, 1:].float().norm(dim=1).mean() * AB_SCALE
