"""16-bit colour through any RGB or CMYK profile LittleCMS reads (a scanner's lookup tables, an ICC v4 profile, a print
profile): the transform sampled on a lattice of 8-bit colours, then interpolated for every 16-bit colour.

Pillow's LittleCMS binding converts 8-bit pictures only. Matrix/TRC profiles are read exactly by
gantools.files.icc_matrix; a profile built from lookup tables (A2B0) is rendered here through LittleCMS itself, so
the tables mean what LittleCMS says they mean. The lattice is every 8-bit colour (a coarser one put its cells across
the kink where colours outside sRGB are clipped: up to 8 levels off), each rounded to 8 bits by LittleCMS, so the
result is as accurate as an 8-bit conversion (half a level) but smooth: a 16-bit gradient keeps its 16-bit steps.
The last lattice is kept, so a folder of scans with one profile builds it once. CMYK has four inks, so every 8-bit
colour would be 4 G entries: its lattice is every fifth ink level (52 per ink, 7.3 M colours, 21 MiB), interpolated
over the 4-D cell's simplices (Kuhn's split, which is what tetrahedral interpolation is in three dimensions).
"""

from __future__ import annotations

import threading

import numpy as np
from PIL import Image, ImageCms

_last: dict[bytes, np.ndarray] = {}  # one lattice (RGB 48 MiB, CMYK 21 MiB), by the two profiles' bytes
_lock = threading.Lock()


CMYK_STEP = 5  # 8-bit ink levels between CMYK lattice points: 0, 5, ... 255


def lattice(source: ImageCms.ImageCmsProfile, target: ImageCms.ImageCmsProfile, mode: str = "RGB") -> np.ndarray:
    """(256, 256, 256, 3) uint8: LittleCMS's target value of every 8-bit colour, indexed [r, g, b]; for `mode` "CMYK",
    (52, 52, 52, 52, 3) of every fifth ink level, indexed [c, m, y, k]."""
    key = mode.encode() + source.tobytes() + target.tobytes()
    with _lock:
        if key not in _last:
            _last.clear()
            _last[key] = _sample(source, target) if mode == "RGB" else _sample_cmyk(source, target)
        return _last[key]


def _sample(source: ImageCms.ImageCmsProfile, target: ImageCms.ImageCmsProfile) -> np.ndarray:
    # The same transform as the 8-bit path's profileToProfile (its default, perceptual intent), 16 reds at a time
    # so no more than the table itself is held
    transform = ImageCms.buildTransform(source, target, "RGB", "RGB")
    levels = np.arange(256, dtype=np.uint8)
    table = np.empty((256, 256, 256, 3), np.uint8)
    for red in range(0, 256, 16):
        grid = np.stack(np.meshgrid(levels[red : red + 16], levels, levels, indexing="ij"), -1).reshape(16 * 256, 256, 3)
        table[red : red + 16] = np.asarray(ImageCms.applyTransform(Image.fromarray(grid, "RGB"), transform)).reshape(16, 256, 256, 3)
    return table


def _sample_cmyk(source: ImageCms.ImageCmsProfile, target: ImageCms.ImageCmsProfile) -> np.ndarray:
    transform = ImageCms.buildTransform(source, target, "CMYK", "RGB")  # as the 8-bit path's profileToProfile
    levels = np.arange(0, 256, CMYK_STEP, dtype=np.uint8)
    n = len(levels)
    table = np.empty((n, n, n, n, 3), np.uint8)
    for c in range(n):  # one cyan level at a time
        grid = np.stack(np.meshgrid(levels[c : c + 1], levels, levels, levels, indexing="ij"), -1).reshape(n * n, n, 4)
        table[c] = np.asarray(ImageCms.applyTransform(Image.fromarray(grid, "CMYK"), transform)).reshape(n, n, n, 3)
    return table


def convert_cmyk_16bit(cmyk: np.ndarray, source: ImageCms.ImageCmsProfile, target: ImageCms.ImageCmsProfile,
                       rows: int = 64) -> np.ndarray:
    """(H, W, 4) uint16 inks -> (H, W, 3) uint16 through LittleCMS's CMYK source -> RGB target transform,
    interpolated between lattice colours over the simplex of the 4-D cell holding each colour, `rows` at a time."""
    flat = lattice(source, target, "CMYK").reshape(-1, 3)
    n = 255 // CMYK_STEP + 1  # 52 lattice points per ink
    spacing = 65535 // (n - 1)  # 1285 16-bit levels between them (51 x 1285 = 65535)
    strides = np.array([n**3, n**2, n, 1], np.int64)[:, None]
    out = np.empty(cmyk.shape[:2] + (3,), np.uint16)
    for top in range(0, cmyk.shape[0], rows):
        band = cmyk[top : top + rows].reshape(-1, 4).T.astype(np.int64)
        base = np.minimum(band // spacing, n - 2)
        frac = (band - base * spacing).astype(np.float32) / np.float32(spacing)
        order = np.argsort(-frac, axis=0, kind="stable")  # walk the axes in order of falling fraction (ties: C first)
        walk = np.take_along_axis(frac, order, axis=0)
        corner = (base * strides).sum(0)
        acc = np.take(flat, corner, axis=0) * (1.0 - walk[0])[:, None]
        for i in range(4):
            corner += strides[order[i], 0]
            acc += np.take(flat, corner, axis=0) * (walk[i] - (walk[i + 1] if i < 3 else 0.0))[:, None]
        out[top : top + rows] = np.round(acc * np.float32(257.0)).reshape(-1, cmyk.shape[1], 3)
    return out


def convert_16bit(rgb: np.ndarray, source: ImageCms.ImageCmsProfile, target: ImageCms.ImageCmsProfile,
                  rows: int = 128) -> np.ndarray:
    """(H, W, 3) uint16 through LittleCMS's source -> target transform, interpolated between lattice colours
    (tetrahedral, as LittleCMS interpolates its own tables), a band of `rows` at a time."""
    flat = lattice(source, target).reshape(-1, 3)
    out = np.empty_like(rgb)
    for top in range(0, rgb.shape[0], rows):
        band = rgb[top : top + rows].reshape(-1, 3).T  # channel by channel: numpy is slow along a short last axis
        base = np.minimum(band // 257, 254)  # the lattice cell's lowest corner (level 65535 sits in the last cell's top)
        r, g, b = (band - base * 257).astype(np.float32) / np.float32(257.0)
        # The cell's tetrahedron holding the colour: from the low corner along the axes in order of falling fraction
        high, low = np.maximum(np.maximum(r, g), b), np.minimum(np.minimum(r, g), b)
        middle = r + g + b - high - low
        first = np.where(r == high, 65536, np.where(g == high, 256, 1))  # lattice strides of red, green, blue
        last = np.where(b == low, 1, np.where(g == low, 256, 65536))  # ties: red first, blue last, never one axis twice
        corner = base[0].astype(np.int64) * 65536 + base[1].astype(np.int64) * 256 + base[2]
        acc = np.take(flat, corner, axis=0) * (1.0 - high)[:, None]
        corner += first
        acc += np.take(flat, corner, axis=0) * (high - middle)[:, None]
        corner += 65793 - first - last
        acc += np.take(flat, corner, axis=0) * (middle - low)[:, None]
        acc += np.take(flat, corner + last, axis=0) * low[:, None]
        out[top : top + rows] = np.round(acc * np.float32(257.0)).reshape(-1, rgb.shape[1], 3)
    return out
