"""Luma and colour, and the hue-histogram term: each output's mix of colours against its photo's, wherever the colours sit.

An L1 against the one true photo pulls an unsure colour to the average of the colours a drawing allows (a
muted brown); a histogram has no places, so it can ask for "this much blue" without asking where: the
discriminator decides that. Matched per image, each bin's best guess is still the median of what a drawing
allows (a rare hue such as a sky's blue is then best left out), so the mix can instead be matched over the
data: the batch's mean histogram against a running mean of the photos'. Differentiable: each pixel's chroma
is spread over the hue bins by a von Mises kernel on its hue angle in the (B - Y, R - Y) plane.
"""

from __future__ import annotations

import math

import torch

BINS = 12
SHARPNESS = 8.0  # von Mises kappa: a pixel's weight falls to about half one bin (30 degrees) away


def split_luma(rgb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """RGB (N, 3, H, W) -> (luma Y (ITU-R BT.601) repeated on 3 channels, the rest: colour), summing to rgb."""
    y = (rgb * rgb.new_tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True).expand_as(rgb)
    return y, rgb - y


def soft_hue_histogram(rgb: torch.Tensor) -> torch.Tensor:
    """RGB (N, 3, H, W) in [-1, 1] -> (N, BINS): the mean over pixels of each pixel's chroma, shared among the
    hue bins by how near its hue is to each bin's centre. Gray gives zeros; a vivid colour weighs more."""
    colour = split_luma(rgb)[1]
    u, v = colour[:, 2], colour[:, 0]
    chroma = torch.sqrt(u * u + v * v + 1e-8)
    angle = torch.atan2(v, u).flatten(1).unsqueeze(-1)  # (N, HW, 1)
    centres = torch.arange(BINS, device=rgb.device, dtype=rgb.dtype) * (2 * math.pi / BINS)
    share = torch.softmax(SHARPNESS * torch.cos(angle - centres), dim=-1)  # (N, HW, BINS), sums to 1 per pixel
    return (chroma.flatten(1).unsqueeze(-1) * share).mean(1)


def hue_loss(fake: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """L1 between the output's and the photo's hue histograms, summed over bins, averaged over the batch."""
    with torch.no_grad():
        want = soft_hue_histogram(target)
    return (soft_hue_histogram(fake) - want).abs().sum(1).mean()


class RunningHues:
    """The training photos' mean hue histogram, a running mean over batches (kept in the checkpoint)."""

    def __init__(self, decay: float = 0.99):
        self.decay, self.mean = decay, None

    def update(self, photos: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            batch = soft_hue_histogram(photos).mean(0)
            self.mean = batch if self.mean is None else self.decay * self.mean.to(batch.device) + (1 - self.decay) * batch
        return self.mean

    def state_dict(self) -> dict:
        return {} if self.mean is None else {"hue_mean": self.mean.detach().cpu().tolist()}

    def load_state_dict(self, state: dict) -> None:
        self.mean = torch.tensor(state["hue_mean"]) if "hue_mean" in state else None


def data_hue_loss(fake: torch.Tensor, target: torch.Tensor, running: RunningHues) -> torch.Tensor:
    """L1 between the batch's mean hue histogram and the running mean of the photos': the data's mix of hues,
    asked of the outputs as a whole (the mean, not each image's median)."""
    want = running.update(target)
    return (soft_hue_histogram(fake).mean(0) - want).abs().sum()
