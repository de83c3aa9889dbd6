"""Shared by the benchmark scripts: real photo patches that ship with scikit-learn, written as a folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def photo_patches(out: Path, size: int = 64, stride: int = 32) -> Path:
    """scikit-learn's two sample photographs (china, flower) cut into overlapping size x size RGB patches."""
    from sklearn.datasets import load_sample_images

    out.mkdir(parents=True, exist_ok=True)
    for n, photo in enumerate(load_sample_images().images):
        h, w = photo.shape[:2]
        for y in range(0, h - size + 1, stride):
            for x in range(0, w - size + 1, stride):
                Image.fromarray(np.ascontiguousarray(photo[y : y + size, x : x + size])).save(out / f"{n}_{y}_{x}.png")
    return out
