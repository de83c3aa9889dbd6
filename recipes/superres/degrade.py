"""How training pairs for super-resolution are made: a high-resolution tile -> its low-resolution input.

`bicubic`: the benchmark setting, PIL's antialiased bicubic (matches MATLAB's imresize, which made the
Set5/Set14 inputs: bicubic upscaling of them gives the published 28.42 dB on Set5).
`real`: what photos from the wild go through, in a random order: blur, downscale, noise, JPEG.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

DEGRADATIONS = ("bicubic", "real")


def bicubic_resize(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """uint8 HWC -> uint8 HWC at (width, height), PIL bicubic with antialiasing."""
    return np.asarray(Image.fromarray(pixels).resize((width, height), Image.BICUBIC))


def bicubic_down(hr: np.ndarray, scale: int) -> np.ndarray:
    return bicubic_resize(hr, hr.shape[1] // scale, hr.shape[0] // scale)


def _blur(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    sigma = rng.uniform(0.2, 2.0)
    return cv2.GaussianBlur(img, (0, 0), sigmaX=sigma, sigmaY=sigma * rng.uniform(0.7, 1.3))


def _noise(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    sigma = rng.uniform(1.0, 12.0)
    noise = rng.normal(0.0, sigma, img.shape[:2] + ((1,) if rng.random() < 0.4 else (img.shape[2],)))  # gray or colour noise
    return np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def _jpeg(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", np.ascontiguousarray(img[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(35, 96))])
    return cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1]


def real_degrade(hr: np.ndarray, scale: int, rng: np.random.Generator) -> np.ndarray:
    """Blur, noise and JPEG (each with probability 0.7) and one downscale, in a random order."""
    h, w = hr.shape[0] // scale, hr.shape[1] // scale
    interpolation = [cv2.INTER_AREA, cv2.INTER_LINEAR, cv2.INTER_CUBIC][int(rng.integers(3))]
    ops = ["down"] + [op for op in ("blur", "noise", "jpeg") if rng.random() < 0.7]
    img = hr
    for op in rng.permutation(ops):
        if op == "down":
            img = cv2.resize(img, (w, h), interpolation=interpolation)
        else:
            img = {"blur": _blur, "noise": _noise, "jpeg": _jpeg}[op](img, rng)
    return np.ascontiguousarray(img)


def degrade(hr: np.ndarray, scale: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """uint8 HWC RGB, sides divisible by scale -> uint8 HWC RGB, sides / scale."""
    return bicubic_down(hr, scale) if kind == "bicubic" else real_degrade(hr, scale, rng)
