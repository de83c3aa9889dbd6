"""Colour hints for sketch2photo: a few colour marks on the drawing say which colour a thing is.

Why: a drawing does not say whether a shirt is red or blue, so a generator left alone paints the safe warm
average (issue 33's sepia). User-guided colorization (Zhang et al. 2017) gives the user that choice with a few
coloured points; here the user paints small marks of colour on the drawing itself, in any paint program, and
G gets their colour (not brightness: the photo's light stays G's) as extra input channels: the chroma
(RGB minus its luma) and a mask of where marks are. In training the marks are simulated: small squares of
the true photo's mean colour at random places, none on half of the crops, so the model works without them.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

CHANNELS = 4  # chroma (3: RGB minus luma, in [-1, 1] units) and the mask
LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R BT.601, as hues.split_luma
# A pixel is a mark when its channels spread by more than this (of 255) once the paper's tint is balanced out:
# pencil, ink and paper are gray (a phone photo's colour noise stays under about 15), a mark's colour is not. Lower
# than the 40 that makes an input a colour photo: a sky's or a face's colour spreads by 25-40.
MARK_SPREAD = 24
# A mark must cover this share of a pixel of the working size to count there (a thin stroke shrunk 6x still does).
MARK_COVER = 0.2


def chroma_of(rgb: torch.Tensor) -> torch.Tensor:
    """RGB (N, 3, H, W) in [-1, 1] -> its chroma: RGB minus luma, on 3 channels."""
    return rgb - (rgb * rgb.new_tensor(LUMA).view(1, 3, 1, 1)).sum(1, keepdim=True)


def simulate(photo: torch.Tensor, generator: torch.Generator | None = None, empty_share: float = 0.5,
             mean_count: float = 6.0, max_count: int = 24, sizes: tuple[int, int] = (2, 8)) -> torch.Tensor:
    """Photos (N, 3, H, W) in [-1, 1] -> simulated hints (N, 4, H, W): on each photo, none (with `empty_share`)
    or a geometric number of squares of side `sizes`, each the mean chroma of the photo under it. A square whose
    colour is too gray to be read as a mark (see read_marks) is left out, as it would be at inference."""
    n, _, h, w = photo.shape
    chroma = chroma_of(photo)
    hints = photo.new_zeros(n, CHANNELS, h, w)
    rand = lambda: float(torch.rand((), generator=generator))  # noqa: E731
    for i in range(n):
        if rand() < empty_share:
            continue
        count = min(max_count, 1 + int(np.log(max(rand(), 1e-12)) / np.log(1.0 - 1.0 / mean_count)))  # geometric, mean ~mean_count
        for _ in range(count):
            side = int(torch.randint(sizes[0], sizes[1] + 1, (), generator=generator))
            top = int(torch.randint(0, h - side + 1, (), generator=generator))
            left = int(torch.randint(0, w - side + 1, (), generator=generator))
            rows, cols = slice(top, top + side), slice(left, left + side)
            colour = chroma[i, :, rows, cols].mean((1, 2))
            if float(colour.max() - colour.min()) * 127.5 <= MARK_SPREAD:
                continue
            hints[i, :3, rows, cols] = colour[:, None, None]
            hints[i, 3, rows, cols] = 1.0
    return hints


def on_drawing(drawing: torch.Tensor, hints: torch.Tensor) -> torch.Tensor:
    """Drawing (N, 1, H, W) in [-1, 1] -> the drawing with white paper under each mark (a mark covers the lines
    it is painted over, as it does when the user's marks are read off the drawing)."""
    return torch.where(hints[:, 3:4] > 0, torch.ones_like(drawing), drawing)


def read_marks(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A drawing with colour marks (uint8 HW3) -> (the drawing in gray with white where marks were, the marks'
    chroma (H, W, 3) float32 in [-1, 1] units, their mask (H, W) float32 in {0, 1})."""
    paper = np.median(rgb.reshape(-1, 3), axis=0).astype(np.float32) + 1.0
    balanced = rgb.astype(np.float32) * (paper.mean() / paper)
    marks = (balanced.max(axis=2) - balanced.min(axis=2)) > MARK_SPREAD
    unit = rgb.astype(np.float32) / 127.5 - 1.0
    chroma = (unit - (unit @ LUMA)[..., None]) * marks[..., None]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    gray[marks] = 255
    return gray, chroma.astype(np.float32), marks.astype(np.float32)


def resize_marks(chroma: np.ndarray, mask: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Marks to the working size: each pixel's mean mark colour, where marks cover at least MARK_COVER of it."""
    if mask.shape == (height, width):
        return chroma, mask
    cover = cv2.resize(mask, (width, height), interpolation=cv2.INTER_AREA)
    summed = cv2.resize(chroma, (width, height), interpolation=cv2.INTER_AREA)
    kept = cover >= MARK_COVER
    colour = np.where(kept[..., None], summed / np.maximum(cover, 1e-6)[..., None], 0.0)
    return colour.astype(np.float32), kept.astype(np.float32)


def as_channels(chroma: np.ndarray, mask: np.ndarray) -> torch.Tensor:
    """(H, W, 3) chroma and (H, W) mask -> (4, H, W) hint channels."""
    return torch.from_numpy(np.ascontiguousarray(np.concatenate([chroma, mask[..., None]], 2).transpose(2, 0, 1))).float()


def paint_marks(drawing: np.ndarray, photo: np.ndarray, count: int, rng: np.random.Generator, side: int = 5) -> np.ndarray:
    """The eval's simulated user: `count` squares of `side` px on the drawing (uint8 gray), each painted with
    the photo's mean colour under it; uint8 HW3. Squares whose colour is too gray to read as a mark are skipped,
    as a user would not mark a gray thing (G paints gray well without help)."""
    out = np.dstack([drawing] * 3)
    h, w = drawing.shape
    for _ in range(count):
        top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        colour = photo[top : top + side, left : left + side].reshape(-1, 3).mean(0)
        if colour.max() - colour.min() > MARK_SPREAD + 4:
            out[top : top + side, left : left + side] = np.round(colour).astype(np.uint8)
    return out
