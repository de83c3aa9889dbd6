"""Colour as a distribution over quantised ab bins (Zhang, Isola & Efros 2016, "Colorful Image Colorization").

Regressing ab averages the plausible colours of a thing into brown-gray; predicting a distribution keeps
them apart, and the decoding chooses how bold to be: the annealed mean at temperature T (T = 1 is the
mean, the safest guess; lower T moves towards the most likely colour). Where the distribution is spread
the mean stays near neutral, so an unsure guess is a muted one. Confidence is 1 - entropy / log(bins).
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import torch
import torch.nn.functional as F

GRID = 10.0  # bin width in ab units, as in Zhang et al.


def gamut_bins(grid: float = GRID) -> torch.Tensor:
    """Centres (Q, 2) of the ab grid cells that some sRGB colour falls into (Q = 256 for a width of 10)."""
    levels = np.arange(0, 256, 4, dtype=np.float32) / 255.0
    rgb = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), -1).reshape(-1, 1, 3)
    ab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)[:, 0, 1:]
    a, b = (np.round(ab / grid).astype(np.int64) + 1000).T
    # one number per cell, ordered as (a, b) rows are: unique over it is 15x faster than np.unique(axis=0), which
    # every model load paid twice (0.3 s each)
    cells = np.unique(a * 2000 + b)
    return torch.from_numpy(np.stack([cells // 2000 - 1000, cells % 2000 - 1000], 1).astype(np.float32) * grid)


def soft_targets(ab: torch.Tensor, centres: torch.Tensor, neighbours: int = 5, sigma: float = 5.0) -> torch.Tensor:
    """True ab (N, 2, H, W) in ab units -> (N, Q, H, W) target distribution: a Gaussian over the nearest bins."""
    n, _, h, w = ab.shape
    points = ab.permute(0, 2, 3, 1).reshape(-1, 2)
    dist2 = torch.cdist(points, centres).square()
    near, index = dist2.topk(neighbours, dim=1, largest=False)
    weight = torch.softmax(-near / (2 * sigma**2), dim=1)
    target = torch.zeros(points.shape[0], centres.shape[0], device=ab.device).scatter_(1, index, weight)
    return target.reshape(n, h, w, -1).permute(0, 3, 1, 2)


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None) -> torch.Tensor:
    """Mean over pixels of the cross-entropy; `weight` (N, H, W) scales each pixel's share."""
    per_pixel = -(target * F.log_softmax(logits, dim=1)).sum(1)
    return per_pixel.mean() if weight is None else (per_pixel * weight).mean()


def rebalancing_weights(counts: torch.Tensor, centres: torch.Tensor, strength: float, sigma: float = 5.0) -> torch.Tensor:
    """Per-bin loss weights from the colour histogram `counts` (Q,): Zhang et al.'s class rebalancing. Without it
    the many gray-brown pixels of photos teach the net that a muted guess is always safe; with it rare, saturated
    colours count more: w ∝ 1 / (strength · prior + (1 - strength) / Q) (their λ = 1 - strength = 0.5), the prior
    smoothed over nearby bins, scaled so that the prior's mean weight is 1. Strength 0: every weight is 1; below 1."""
    kernel = torch.exp(-torch.cdist(centres, centres).square() / (2 * sigma**2))
    prior = kernel @ (counts / counts.sum().clamp_min(1e-12))
    prior = prior / prior.sum()
    weight = 1.0 / (strength * prior + (1.0 - strength) / centres.shape[0])
    return weight / (prior * weight).sum()


def annealed_mean(logits: torch.Tensor, centres: torch.Tensor, temperature: float) -> torch.Tensor:
    """(N, Q, H, W) logits -> ab (N, 2, H, W) in ab units: the sum over bins of softmax(logits / T) * centre.
    Differentiable, so a loss on the colours users get can train the logits."""
    z = logits.float().permute(0, 2, 3, 1)  # bins last: contiguous when the net runs channels_last, no copy
    return (torch.softmax(z / temperature, dim=-1) @ centres.to(z.dtype)).permute(0, 3, 1, 2)


def decode(logits: torch.Tensor, centres: torch.Tensor, temperature: float, confidence_stride: int = 1,
           overwrite: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, Q, H, W) logits -> ab (N, 2, H, W) in ab units (annealed mean), and confidence (N, 1, H/s, W/s) in [0, 1],
    measured on every `confidence_stride`-th pixel of each row and column (it is smooth; a summary is what is used).
    `overwrite`: the logits' memory may be used for the softmax (inference), which then costs no second buffer of
    Q channels: on a CPU, fresh large buffers cost more than the arithmetic (half the decoding's time)."""
    z = logits.float().permute(0, 2, 3, 1)
    sub = z[:, ::confidence_stride, ::confidence_stride]
    entropy = torch.logsumexp(sub, dim=-1) - (torch.softmax(sub, dim=-1) * sub).sum(-1)
    confidence = (1.0 - entropy / math.log(centres.shape[0])).clamp(0.0, 1.0)[:, None]
    if not overwrite or z.requires_grad:
        return annealed_mean(logits, centres, temperature), confidence
    # softmax(z / T) @ centres as exp((z - max) / T) @ [centres, 1], normalised after: the same sums, in place.
    weights = z.sub_(z.amax(-1, keepdim=True)).mul_(1.0 / temperature).exp_()
    sums = weights @ torch.cat([centres, torch.ones_like(centres[:, :1])], 1).to(weights.dtype)
    # Channel-first (a 2-channel copy): resizing a channels-last map of 2 channels is 3x slower.
    return (sums[..., :2] / sums[..., 2:]).permute(0, 3, 1, 2).contiguous(), confidence
