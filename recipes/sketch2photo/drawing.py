"""Line drawings from photos (XDoG, Canny) and clean-up of drawings made by hand.

`xdog` and `canny` turn a photo into dark lines on white paper; with a random generator their
thickness and threshold are jittered, so a model trained on them also accepts lines drawn by hand.
`normalise_drawing` brings a drawing on paper (a scan or a phone photo of one) to what the model saw
in training: white paper, dark lines, a line width within the trained range.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from gantools.files.imageio import Decoded, ImageError, as_channels
from gantools.infer.predictor import Job

STYLES = ("xdog", "canny")
MAX_LINE_WIDTH = 5.0  # px: about the widest XDoG line in training; wider hand-drawn lines are thinned to this


def colour_spread(rgb: np.ndarray) -> np.ndarray:
    """Each pixel's channel spread (max - min, of 255) once the paper's tint is balanced out: 0 for pencil, ink and
    paper, even on a phone photo's warm or cool paper; large for colour."""
    paper = np.median(rgb.reshape(-1, 3), axis=0).astype(np.float32) + 1.0
    balanced = rgb.astype(np.float32) * (paper.mean() / paper)
    return balanced.max(axis=2) - balanced.min(axis=2)


def to_gray(rgb: np.ndarray) -> np.ndarray:
    return rgb if rgb.ndim == 2 else cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def xdog(rgb: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """Extended difference of Gaussians (Winnemöller et al. 2012): pencil-like lines, uint8 gray, white paper.

    sigma sets the line width, p the edge emphasis, phi the softness; `rng` jitters all three."""
    sigma, p, phi, eps = 0.9, 40.0, 20.0, 0.25
    if rng is not None:
        sigma, p, phi = rng.uniform(0.6, 1.3), rng.uniform(25.0, 60.0), rng.uniform(10.0, 40.0)
        eps = rng.uniform(0.15, 0.35)
    gray = to_gray(rgb).astype(np.float32) / 255.0
    g1 = cv2.GaussianBlur(gray, (0, 0), sigma)
    g2 = cv2.GaussianBlur(gray, (0, 0), sigma * 1.6)
    d = (1.0 + p) * g1 - p * g2
    lines = np.where(d >= eps, 1.0, 1.0 + np.tanh(phi * (d - eps)))
    return np.clip(np.round(lines * 255.0), 0, 255).astype(np.uint8)


def canny(rgb: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """Canny edges as dark lines on white; thresholds from the image's median (jittered with `rng`)."""
    gray = cv2.GaussianBlur(to_gray(rgb), (0, 0), 1.0)
    lo_ratio, hi_ratio, width = 0.66, 1.33, 1
    if rng is not None:
        lo_ratio, hi_ratio, width = rng.uniform(0.4, 0.8), rng.uniform(1.1, 1.8), int(rng.integers(1, 3))
    median = float(np.median(gray))
    edges = cv2.Canny(gray, max(5.0, lo_ratio * median), max(20.0, hi_ratio * median))
    if width > 1:
        edges = cv2.dilate(edges, np.ones((width, width), np.uint8))
    return 255 - edges


def extract(rgb: np.ndarray, style: str, rng: np.random.Generator | None = None) -> np.ndarray:
    if style not in STYLES:
        raise ValueError(f"unknown sketch style '{style}' (choose from {', '.join(STYLES)})")
    return xdog(rgb, rng) if style == "xdog" else canny(rgb, rng)


def line_width(gray: np.ndarray) -> float:
    """Median stroke width in pixels: twice the distance from a line's middle to its edge."""
    ink = (gray < 128).astype(np.uint8)
    if not ink.any():
        return 0.0
    dist = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
    # A line's middle is where the distance has a local maximum across it.
    ridge = (dist >= cv2.dilate(dist, np.ones((3, 3), np.uint8))) & (ink > 0)
    return float(2.0 * np.median(dist[ridge]))


def normalise_drawing(gray: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """A drawing (uint8 gray) -> white paper, dark lines, lines no wider than MAX_LINE_WIDTH; plus notes.

    Uneven paper (a phone photo's shading) is divided out by a local estimate of the paper tone; light
    lines on dark paper are inverted. Raises ImageError for blank or all-dark pictures."""
    notes: list[str] = []
    if float(gray.std()) < 2.0:
        tone = "all black" if gray.mean() < 128 else "blank"
        raise ImageError(f"{tone} sketch: one flat tone, nothing drawn")
    if np.median(gray) < 110:
        gray = 255 - gray
        notes.append("light lines on dark paper: inverted")
    # Paper tone: closing removes lines thinner than the kernel, a blur smooths what is left.
    k = max(15, (min(gray.shape) // 24) | 1)
    paper = cv2.GaussianBlur(cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))), (0, 0), k / 4)
    flat = np.clip(gray.astype(np.float32) / np.maximum(paper.astype(np.float32), 1.0), 0.0, 1.0)
    darkest = float(np.percentile(flat, 0.05))  # a low percentile: a small drawing on a big page has little ink
    if darkest > 0.97:
        raise ImageError("blank sketch: no lines darker than the paper")
    # Stretch so the darkest lines are black and the paper is white; faint pencil becomes visible ink.
    clean = np.clip((flat - darkest) / max(0.9 - darkest, 1e-3), 0.0, 1.0)
    clean = np.round(clean * 255.0).astype(np.uint8)
    if (clean < 128).mean() > 0.6:
        raise ImageError("sketch is mostly dark: expected dark lines on light paper")
    width = line_width(clean)
    if width > MAX_LINE_WIDTH:
        steps = int(round((width - MAX_LINE_WIDTH) / 2.0))
        if steps > 0:  # grayscale dilation grows the paper into the lines: thinner strokes
            clean = cv2.dilate(clean, np.ones((3, 3), np.uint8), iterations=steps)
            notes.append(f"lines {width:.0f} px wide thinned to about {width - 2 * steps:.0f} px")
    return clean, notes


class SketchMaker:
    """Photos -> line drawings for the folder runner (`gantools sketch`): all the work is in the worker
    threads, there is no model, so `forward` only passes the batch through."""

    batchable = False  # no model: nothing gained from batching

    def __init__(self, style: str):
        if style not in STYLES:
            raise ValueError(f"unknown sketch style '{style}' (choose from {', '.join(STYLES)})")
        self.style = style

    def prepare(self, decoded: Decoded) -> Job:
        lines = extract(as_channels(decoded, 3), self.style)
        notes = list(decoded.notes)
        if lines.min() >= 128:
            notes.append("no edges found: the sketch is blank")
        return Job(torch.from_numpy(lines), notes)

    def forward(self, inputs):
        return inputs

    def finish(self, job: Job, output: torch.Tensor) -> Decoded:
        return Decoded(output.numpy(), None, job.state)
