"""Inference-time colour balance of a generated photo: part of its midtones' cast taken out, then a chroma gain.

A drawing does not say which colour a thing is, and the generator answers with one safe, warm colour family
(sepia). Taking part of the photo's mean colour out of its midtones (gray-world white balance, sparing white
and black, which a sepia print keeps neutral) turns that shared warmth back into differences between regions;
the gain sets how vivid they are. Off by default: measured in benchmarks/RESULTS.md (issue 33), it moves the
hue figures little once white is spared. Done in CIELAB at the render size with OpenCV.
"""

from __future__ import annotations

import cv2
import numpy as np


def balance_colour(rgb: np.ndarray, cast_removed: float, saturation: float) -> np.ndarray:
    """uint8 RGB (H, W, 3) -> uint8 RGB: a*b* minus `cast_removed` times their midtone-weighted mean (each pixel by its
    own midtone weight), then times `saturation`."""
    if cast_removed == 0 and saturation == 1:
        return rgb
    lab = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    ab = lab[..., 1:]
    # The cast sits in the midtones (a sepia print's paper white stays white): weigh it by 1 - ((L - 50) / 50)².
    midtone = np.clip(1.0 - np.square(lab[..., 0] / 50.0 - 1.0), 0.0, 1.0)[..., None]
    cast = (ab * midtone).reshape(-1, 2).sum(axis=0) / max(float(midtone.sum()), 1e-6)
    ab -= cast_removed * midtone * cast
    ab *= saturation
    out = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)
    return np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
