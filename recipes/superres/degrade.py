"""How training pairs for super-resolution are made: a high-resolution tile -> its low-resolution input.

`bicubic`: the benchmark setting, PIL's antialiased bicubic (matches MATLAB's imresize, which made the
Set5/Set14 inputs: bicubic upscaling of them gives the published 28.42 dB on Set5).
`real`: what a photo from a phone or the web has been through, in two rounds (after Real-ESRGAN's
second-order model). Round one: blur (anisotropic, any angle), a resize, sensor noise (Gaussian, gray or
colour, or Poisson), over-sharpening halos, JPEG, each with some probability, in a random order. Round two:
a little more blur and noise (each sometimes), the downscale to the final size, and a JPEG re-encode as a
re-upload makes. One input in ten stays clean bicubic, so clean photos are not over-smoothed.
`gantools eval superres --degradation real --seed S` draws each image's degradation from (S, its file name):
the same inputs on every run and machine.
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np
from PIL import Image

DEGRADATIONS = ("bicubic", "real")
_INTERPOLATIONS = (cv2.INTER_AREA, cv2.INTER_LINEAR, cv2.INTER_CUBIC)


def bicubic_resize(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """uint8 HWC -> uint8 HWC at (width, height), PIL bicubic with antialiasing."""
    return np.asarray(Image.fromarray(pixels).resize((width, height), Image.BICUBIC))


def bicubic_down(hr: np.ndarray, scale: int) -> np.ndarray:
    return bicubic_resize(hr, hr.shape[1] // scale, hr.shape[0] // scale)


def _gaussian_kernel(sigma_x: float, sigma_y: float, angle: float, size: int = 21) -> np.ndarray:
    r = np.arange(size) - size // 2
    x, y = np.meshgrid(r, r)
    c, s = np.cos(angle), np.sin(angle)
    u, v = c * x + s * y, -s * x + c * y
    k = np.exp(-0.5 * ((u / sigma_x) ** 2 + (v / sigma_y) ** 2))
    return (k / k.sum()).astype(np.float32)


def _blur(img: np.ndarray, rng: np.random.Generator, most: float) -> np.ndarray:
    sigma = rng.uniform(0.2, most)
    kernel = _gaussian_kernel(sigma, sigma * rng.uniform(0.5, 1.0), rng.uniform(0, np.pi))
    return cv2.filter2D(img, -1, kernel, borderType=cv2.BORDER_REFLECT)


def _noise(img: np.ndarray, rng: np.random.Generator, most: float) -> np.ndarray:
    x = img.astype(np.float32)
    if rng.random() < 0.4:  # shot noise: brighter pixels are noisier
        photons = 10 ** rng.uniform(1.5, 3.0)
        noisy = rng.poisson(np.clip(x, 0, None) * (photons / 255.0)) * (255.0 / photons)
    else:  # read noise, gray (luminance) or per channel
        shape = img.shape[:2] + ((1,) if rng.random() < 0.4 else (img.shape[2],))
        noisy = x + rng.normal(0.0, rng.uniform(1.0, most), shape)
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


def _sharpen(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unsharp masking as phones and web pipelines overdo it: halos beside edges."""
    soft = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.8, 2.0)).astype(np.float32)
    return np.clip(np.round(img + rng.uniform(0.3, 1.2) * (img - soft)), 0, 255).astype(np.uint8)


def _jpeg(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", np.ascontiguousarray(img[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 96))])
    return cv2.imdecode(data, cv2.IMREAD_COLOR)[..., ::-1]


def _resize(img: np.ndarray, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    return cv2.resize(img, (max(1, width), max(1, height)), interpolation=_INTERPOLATIONS[int(rng.integers(3))])


def real_degrade(hr: np.ndarray, scale: int, rng: np.random.Generator) -> np.ndarray:
    """Two rounds of camera-and-web damage ending at exactly 1/scale of the size (module docstring)."""
    h, w = hr.shape[0] // scale, hr.shape[1] // scale
    if rng.random() < 0.1:
        return bicubic_down(hr, scale)
    img = hr
    first = [op for op, p in (("blur", 0.8), ("resize", 0.7), ("noise", 0.6), ("sharpen", 0.3), ("jpeg", 0.6)) if rng.random() < p]
    for op in rng.permutation(first) if first else ():
        if op == "blur":
            img = _blur(img, rng, 3.0)
        elif op == "resize":  # somewhere between the original and halfway to the final size
            f = rng.uniform(0.5 * (1 + 1 / scale), 1.0)
            img = _resize(img, round(img.shape[1] * f), round(img.shape[0] * f), rng)
        elif op == "noise":
            img = _noise(img, rng, 20.0)
        elif op == "sharpen":
            img = _sharpen(img, rng)
        else:
            img = _jpeg(img, rng)
    if rng.random() < 0.4:
        img = _blur(img, rng, 1.5)
    if rng.random() < 0.4:
        img = _noise(img, rng, 10.0)
    img = _resize(img, w, h, rng)
    if rng.random() < 0.8:
        img = _jpeg(img, rng)
    return np.ascontiguousarray(img)


def degrade(hr: np.ndarray, scale: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """uint8 HWC RGB, sides divisible by scale -> uint8 HWC RGB, sides / scale."""
    return bicubic_down(hr, scale) if kind == "bicubic" else real_degrade(hr, scale, rng)


def eval_rng(seed: int, name: str) -> np.random.Generator:
    """The evaluation draw for one image: fixed by the seed and the file's name, not by the order of files."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])
