"""Near-copy detection: a synthetic image too close to a training image must not be shipped as "synthetic".

Feature space: each image is made gray, resized to 16x16 (area filter) and standardised (zero mean,
unit variance), so brightness and contrast shifts do not hide a copy; similarity is the Pearson
correlation of those 256 values. A horizontally flipped copy is also caught. A synthetic image is a
near-copy when its correlation with its nearest training image is at least the threshold (default 0.95)
and at least as high as real images of the class are to each other (the 95th percentile of each training
image's correlation with its nearest other training image): in a class whose real images are all alike,
such as digits, likeness alone is not copying.
"""

from __future__ import annotations

import cv2
import numpy as np

FEATURE_SIDE = 16
DEFAULT_THRESHOLD = 0.95
FEATURE_SPACE = "16x16 gray, standardised; Pearson correlation with each training image and its mirror"


def features(images: list[np.ndarray]) -> np.ndarray:
    out = []
    for im in images:
        gray = im if im.ndim == 2 else (im[..., 0] if im.shape[2] == 1 else cv2.cvtColor(im, cv2.COLOR_RGB2GRAY))
        small = cv2.resize(gray.astype(np.float32), (FEATURE_SIDE, FEATURE_SIDE), interpolation=cv2.INTER_AREA).ravel()
        small -= small.mean()
        out.append(small / (np.linalg.norm(small) + 1e-6))
    return np.stack(out)


class NearestTraining:
    """The training images of one class (and their mirrors), ready to be compared with synthetic ones."""

    def __init__(self, training: list[np.ndarray]):
        mirrored = [np.ascontiguousarray(im[:, ::-1]) for im in training]
        self.feats = features(training + mirrored)
        self.n = len(training)
        self.real_likeness = self._real_likeness()

    def _real_likeness(self) -> float:
        """95th percentile of each training image's correlation with its nearest *other* training image."""
        if self.n < 2:
            return 0.0
        sims = self.feats[: self.n] @ self.feats.T
        for i in range(self.n):
            sims[i, i] = sims[i, i + self.n] = -1.0  # itself and its own mirror
        return float(np.percentile(sims.max(axis=1), 95))

    def threshold(self, floor: float) -> float:
        return max(floor, self.real_likeness)

    def nearest(self, images: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(index of the nearest training image, its correlation) for each image."""
        sims = features(images) @ self.feats.T
        best = sims.argmax(axis=1)
        return best % self.n, sims[np.arange(len(images)), best]
