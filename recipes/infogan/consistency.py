"""Q's categorical code read consistently off real images: invariant information clustering (Ji et al. 2019).

Q sees two randomly warped views of each real image; the loss is minus the mutual information between its
two categorical predictions, estimated from the batch's joint distribution of the pair. Maximising it asks for
the same code on both views (invariance) and for every code to be used equally often (the marginal's
entropy), the two things plain infoGAN left to chance on the digits: one digit split over two codes, others
left out. Labels are never used.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def random_warp(x: torch.Tensor, shift: float = 0.1, turn_degrees: float = 12.0, zoom: float = 0.12) -> torch.Tensor:
    """Each image moved by up to `shift` of its size, turned by up to `turn_degrees`, scaled by 1 ± `zoom`;
    the border filled with the background (-1, black). Small enough to keep a digit what it is."""
    n = x.shape[0]
    u = torch.rand(n, 4).mul(2).sub(1).to(x.device)  # drawn on the CPU: the same warps on any device
    angle = u[:, 0] * math.radians(turn_degrees)
    scale = 1.0 + u[:, 1] * zoom
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, u[:, 2] * 2 * shift], 1), torch.stack([sin, cos, u[:, 3] * 2 * shift], 1)], 1)
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x + 1.0, grid, mode="bilinear", padding_mode="zeros", align_corners=False) - 1.0


def pair_information(logits_a: torch.Tensor, logits_b: torch.Tensor) -> torch.Tensor:
    """I(a; b) in nats of two categorical predictions of the same images (at most ln K): IIC's objective."""
    p_a, p_b = F.softmax(logits_a.float(), 1), F.softmax(logits_b.float(), 1)
    joint = p_a.t() @ p_b / p_a.shape[0]
    joint = ((joint + joint.t()) / 2).clamp_min(1e-8)  # the two views are interchangeable
    marginal_a, marginal_b = joint.sum(1, keepdim=True), joint.sum(0, keepdim=True)
    return (joint * (joint.log() - marginal_a.log() - marginal_b.log())).sum()
