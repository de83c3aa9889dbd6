"""Inference-time colour balance of a generated photo: part of its overall cast taken out, then a chroma gain.

A drawing does not say which colour a thing is, and the generator answers with one safe, warm colour family:
its outputs lean orange-yellow overall (sepia). Taking part of each photo's mean colour out (gray-world white
balance, as a camera's auto white balance does) turns that shared warmth back into the differences between
regions, so skies and shadows come out cooler than sunlit things; the gain then restores how vivid they are.
Done in CIELAB on the photo at its render size (cheap) with OpenCV.
"""

from __future__ import annotations

import cv2
import numpy as np


def balance_colour(rgb: np.ndarray, cast_removed: float, saturation: float) -> np.ndarray:
    """uint8 RGB (H, W, 3) -> uint8 RGB: a*b* minus `cast_removed` times their mean over the photo, times `saturation`."""
    if cast_removed == 0 and saturation == 1:
        return rgb
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    ab = lab[..., 1:]
    ab -= cast_removed * ab.reshape(-1, 2).mean(axis=0)
    ab *= saturation
    out = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)
    return np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
