"""Colour that holds still in video: the predicted ab averaged over time where the picture does not move.

Frame-by-frame colourisation flickers (each frame's colour is a fresh guess; DeOldify's users report it). Each
pixel's colour is a running average of its predictions, weighted by how still that pixel is (a small change of
L between frames keeps the average, a moving edge takes the new prediction), and the average starts over at a
scene cut (a large mean change of L).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

# Prepared L is L / 50 - 1: 0.02 is one L unit.
MOTION_SCALE = 0.06  # |dL| (blurred) at which a pixel's past colour keeps 1/e of its weight
SCENE_CUT = 0.16  # mean |dL| over the frame above which the past is dropped


class ColourSmoother:
    """Called on each frame's (job, forward output) in order; returns the output with its ab smoothed."""

    def __init__(self, keep: float):
        self.keep = keep  # weight of the past on a perfectly still pixel (0 = frame by frame)
        self.previous_L: torch.Tensor | None = None
        self.ab: torch.Tensor | None = None
        self.cuts = 0

    def __call__(self, job, output: torch.Tensor) -> torch.Tensor:
        L = job.input[0]
        if self.keep <= 0:
            return output
        if self.previous_L is None or self.previous_L.shape != L.shape or self.ab.shape != output[:2].shape:
            self.ab = output[:2].clone()
        else:
            change = (L - self.previous_L).abs()
            if float(change.mean()) > SCENE_CUT:
                self.cuts += 1
                self.ab = output[:2].clone()
            else:
                # Blurred so that sensor noise reads as still and a moving object's whole area as moving.
                motion = F.avg_pool2d(change[None, None], 7, stride=1, padding=3, count_include_pad=False)[0]
                weight = self.keep * torch.exp(-motion / MOTION_SCALE)
                self.ab = weight * self.ab + (1 - weight) * output[:2]
        self.previous_L = L
        smoothed = output.clone()
        smoothed[:2] = self.ab
        return smoothed
