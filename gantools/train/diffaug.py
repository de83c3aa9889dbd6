"""DiffAugment (Zhao et al. 2020): differentiable augmentation of everything D sees, for small datasets.

The same random policy is applied to real and fake batches; because every op is differentiable,
G still gets gradients through it. Works on any channel count (a conditional D's stacked inputs too).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

POLICIES = ("color", "translation", "cutout")


def parse_policy(policy: str | None) -> tuple[str, ...]:
    """'color,translation,cutout' -> ('color', 'translation', 'cutout'); '' or 'none' -> ()."""
    if not policy or policy == "none":
        return ()
    names = tuple(p.strip() for p in policy.split(",") if p.strip())
    unknown = [n for n in names if n not in POLICIES]
    if unknown:
        raise ValueError(f"unknown DiffAugment policy {unknown} (choose from {', '.join(POLICIES)})")
    return names


def diff_augment(x: torch.Tensor, policy: tuple[str, ...]) -> torch.Tensor:
    for name in policy:
        x = _OPS[name](x)
    return x


def _color(x: torch.Tensor) -> torch.Tensor:
    n = x.shape[0]
    rand = lambda: torch.rand(n, 1, 1, 1, dtype=x.dtype, device=x.device)  # noqa: E731
    x = x + (rand() - 0.5)  # brightness
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (rand() * 2) + mean  # saturation
    mean = x.mean(dim=[1, 2, 3], keepdim=True)
    return (x - mean) * (rand() + 0.5) + mean  # contrast


def _translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sh, sh + 1, (n, 1, 1), device=x.device)
    dx = torch.randint(-sw, sw + 1, (n, 1, 1), device=x.device)
    gy, gx = torch.meshgrid(torch.arange(h, device=x.device), torch.arange(w, device=x.device), indexing="ij")
    gy = torch.clamp(gy.unsqueeze(0) + dy + 1, 0, h + 1)
    gx = torch.clamp(gx.unsqueeze(0) + dx + 1, 0, w + 1)
    padded = F.pad(x, [1, 1, 1, 1])  # shifted-in pixels are zero
    batch = torch.arange(n, device=x.device).view(n, 1, 1)
    return padded.permute(0, 2, 3, 1)[batch, gy, gx].permute(0, 3, 1, 2).contiguous()


def _cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device)
    cx = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device)
    gy, gx = torch.meshgrid(torch.arange(ch, device=x.device), torch.arange(cw, device=x.device), indexing="ij")
    gy = torch.clamp(gy.unsqueeze(0) + cy - ch // 2, 0, h - 1)
    gx = torch.clamp(gx.unsqueeze(0) + cx - cw // 2, 0, w - 1)
    mask = torch.ones(n, h, w, dtype=x.dtype, device=x.device)
    mask[torch.arange(n, device=x.device).view(n, 1, 1), gy, gx] = 0
    return x * mask.unsqueeze(1)


_OPS = {"color": _color, "translation": _translation, "cutout": _cutout}
