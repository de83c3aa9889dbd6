"""Small real datasets that ship inside installed packages, written out as class folders of PNGs."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from gantools.files.atomic import atomic_path
from gantools.errors import UserError


def write_digits(out: str | Path, size: int = 32, per_class: int | None = None, holdout: str | Path | None = None, seed: int = 0) -> dict:
    """scikit-learn's 1797 handwritten digits (8x8, 16 gray levels) as out/<digit>/NNNN.png at `size`.

    With `per_class`, only that many images per class go to `out`; the rest go to `holdout` if given.
    """
    from sklearn.datasets import load_digits

    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise UserError(f"'{out}' already holds files; choose an empty or new folder")
    digits = load_digits()
    rng = np.random.default_rng(seed)
    counts = {"train": 0, "holdout": 0}
    for label in range(10):
        idx = np.flatnonzero(digits.target == label)
        rng.shuffle(idx)
        keep = idx if per_class is None else idx[:per_class]
        rest = [] if per_class is None else idx[per_class:]
        for split, indices, root in (("train", keep, out), ("holdout", rest, holdout)):
            if root is None:
                continue
            for i in indices:
                pixels = (digits.images[i] * (255.0 / 16.0)).astype(np.float32)
                pixels = cv2.resize(pixels, (size, size), interpolation=cv2.INTER_CUBIC)
                path = Path(root) / str(label) / f"{i:04d}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                _, png = cv2.imencode(".png", np.clip(pixels, 0, 255).round().astype(np.uint8))
                with atomic_path(path) as tmp:
                    tmp.write_bytes(png.tobytes())
                counts[split] += 1
    return counts
