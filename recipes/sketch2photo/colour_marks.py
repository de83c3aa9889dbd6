"""Colour marks for sketch2photo: a few dabs of colour painted on the drawing say which colour a thing is.

Why: a drawing does not say whether a shirt is red or blue, so the generator paints the safe warm average
(issue 33's sepia). Here the user paints small marks of colour on the drawing, in any paint program; the marks
are taken off the drawing before G sees it, and their colour is then spread over G's photo by colorization
using optimization (Levin, Lischinski and Weiss 2004): neighbouring pixels of similar brightness get similar
colour, and the drawing's lines and changes of brightness hold a mark's colour back, so it fills what it sits
on first; further than `reach` from every mark G's own colour stays. (Teaching G itself to follow marks was tried and failed:
RESULTS, sketch2photo try 15.)
"""

from __future__ import annotations

import cv2
import numpy as np

from gantools.recipes.sketch2photo.drawing import colour_spread

# A pixel is a mark when its channels spread by more than this (of 255) once the paper's tint is balanced out:
# pencil, ink and paper are gray (a phone photo's colour noise stays under about 15), a mark's colour is not.
# Lower than the 40 that makes an input a colour photo: a sky's or a face's colour spreads by 25-40.
MARK_SPREAD = 24
# A mark must cover this share of a pixel of the working size to count there (a thin stroke shrunk 6x still does).
MARK_COVER = 0.2
# Brightness differences (L*, 0-100) at which the link between neighbours has fallen to e^-1/2; and how much of a
# link is left across a line of the drawing.
SIGMA_L = 6.0
ACROSS_LINE = 0.02
# Within this many L* of white or black a mark's colour fades out: paper and ink are not coloured by a mark nearby.
SPARE_L = 12.0


def read_marks(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A drawing with colour marks (uint8 HW3) -> (the drawing in gray, with paper where marks were; the marks'
    colour (H, W, 3) float32 RGB in [0, 1], 0 elsewhere; their mask (H, W) float32 in {0, 1})."""
    marks = colour_spread(rgb) > MARK_SPREAD
    colour = rgb.astype(np.float32) / 255.0 * marks[..., None]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    gray[marks] = 255
    return gray, colour.astype(np.float32), marks.astype(np.float32)


def resize_marks(colour: np.ndarray, mask: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Marks to the working size: each pixel's mean mark colour, where marks cover at least MARK_COVER of it."""
    if mask.shape == (height, width):
        return colour, mask
    cover = cv2.resize(mask, (width, height), interpolation=cv2.INTER_AREA)
    summed = cv2.resize(colour, (width, height), interpolation=cv2.INTER_AREA)
    kept = cover >= MARK_COVER
    mean = np.where(kept[..., None], summed / np.maximum(cover, 1e-6)[..., None], 0.0)
    return mean.astype(np.float32), kept.astype(np.float32)


def spread_marks(photo: np.ndarray, lines: np.ndarray, colour: np.ndarray, mask: np.ndarray, reach: float) -> np.ndarray:
    """G's photo (uint8 HW3), the drawing's line pixels (bool HW) and the marks (as resize_marks gives them) ->
    the photo with the marks' colour (CIELAB a*b*) spread over it; its brightness (L*) is G's, unchanged.

    Solves, for the a*b* field x: marks' pixels held at their colour, each pixel drawn to its four neighbours by
    exp(-dL^2 / 2 SIGMA_L^2) (almost nothing across a line), and to G's own colour by 1 / reach^2, so a mark's
    colour fades over about `reach` pixels where nothing stops it."""
    if not mask.any():
        return photo
    from scipy.sparse import coo_matrix, diags  # here: scipy's sparse solvers take 0.4 s to import, marks or not
    from scipy.sparse.linalg import spsolve

    lab = cv2.cvtColor(photo.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)
    wanted = cv2.cvtColor(colour, cv2.COLOR_RGB2Lab)[..., 1:]
    h, w = mask.shape
    index = np.arange(h * w).reshape(h, w)
    brightness, on_line = lab[..., 0].ravel(), lines.ravel()
    rows, cols, weights = [], [], []
    for a, b in ((index[:, :-1], index[:, 1:]), (index[:-1], index[1:])):  # right and down neighbours
        a, b = a.ravel(), b.ravel()
        d = brightness[a] - brightness[b]
        link = np.exp(-(d * d) / (2 * SIGMA_L**2)) * np.where(on_line[a] | on_line[b], ACROSS_LINE, 1.0)
        rows += [a, b]
        cols += [b, a]
        weights += [link, link]
    n = h * w
    adjacency = coo_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)).tocsr()
    laplacian = diags(np.asarray(adjacency.sum(axis=1)).ravel()) - adjacency
    held = mask.ravel() > 0
    keep = np.full(n, 1.0 / reach**2)
    keep[held] = 1e4  # a mark's colour is held
    target = lab[..., 1:].reshape(n, 2).astype(np.float64) * keep[:, None]
    target[held] = wanted.reshape(n, 2)[held] * keep[held, None]
    ab = spsolve((laplacian + diags(keep)).tocsc(), target).reshape(h, w, 2)
    # White paper stays white (and black black): the marks' change fades out towards L* 100 and 0, as in colour_balance.
    spare = np.clip(np.minimum(100.0 - lab[..., 0], lab[..., 0]) / SPARE_L, 0.0, 1.0)[..., None]
    spare[mask > 0] = 1.0
    lab[..., 1:] += (ab - lab[..., 1:]) * spare
    rgb = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)
    return np.round(np.clip(rgb, 0.0, 1.0) * 255.0).astype(np.uint8)


def paint_marks(drawing: np.ndarray, photo: np.ndarray, count: int, rng: np.random.Generator, side: int = 5) -> np.ndarray:
    """The eval's simulated user: `count` squares of `side` px on the drawing (uint8 gray), each painted with
    the photo's mean colour under it; uint8 HW3. Squares whose colour is too gray to read as a mark are skipped,
    as a user would not mark a gray thing."""
    out = np.dstack([drawing] * 3)
    h, w = drawing.shape
    for _ in range(count):
        top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        colour = photo[top : top + side, left : left + side].reshape(-1, 3).mean(0)
        if colour.max() - colour.min() > MARK_SPREAD + 4:  # a margin, so the painted square is surely read as a mark
            out[top : top + side, left : left + side] = np.round(colour).astype(np.uint8)
    return out
