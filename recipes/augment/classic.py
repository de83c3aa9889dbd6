"""Classical, label-preserving augmentation through albumentations: built-in policies or the user's file.

Only transforms that keep an image's class are used: flips, crops, affine, colour, blur, noise and
dropout. A user's pipeline is loaded with `albumentations.load` (YAML or JSON, as `albumentations.save`
writes it); its output is resized to the requested size so every exported image has one size.
"""

from __future__ import annotations

from pathlib import Path

import albumentations as A
import cv2
import numpy as np

from gantools.errors import UserError

POLICIES = ("light", "medium", "heavy")


def builtin(policy: str, size: int, flip: bool = True) -> A.Compose:
    """light: flips and small shifts; medium: + crops, rotation, colour; heavy: + blur, noise, dropout.

    flip=False for classes a mirror changes (digits, letters, signs with text)."""
    if policy not in POLICIES:
        raise UserError(f"unknown policy '{policy}' (choose from {', '.join(POLICIES)}, or give a .yaml/.json file)")
    steps: list = [A.HorizontalFlip(p=0.5 if flip else 0.0), A.Affine(translate_percent=(-0.06, 0.06), p=0.7)]
    if policy in ("medium", "heavy"):
        steps += [A.RandomResizedCrop(size=(size, size), scale=(0.7, 1.0), ratio=(0.85, 1.18), p=0.5),
                  A.Affine(rotate=(-15, 15), scale=(0.9, 1.1), p=0.5),
                  A.ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2, hue=0.03, p=0.7)]
    if policy == "heavy":
        steps += [A.GaussianBlur(sigma_limit=(0.3, 1.2), p=0.3), A.GaussNoise(std_range=(0.02, 0.08), p=0.3),
                  A.CoarseDropout(num_holes_range=(1, 3), hole_height_range=(0.1, 0.25), hole_width_range=(0.1, 0.25), p=0.3)]
    return A.Compose(steps + [A.Resize(size, size)], seed=None)


def from_file(path: str | Path, size: int) -> A.Compose:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"--policy '{path}' is neither a built-in policy ({', '.join(POLICIES)}) nor a file")
    fmt = "yaml" if path.suffix.lower() in (".yaml", ".yml") else "json"
    try:
        loaded = A.load(str(path), data_format=fmt)
    except Exception as exc:  # any parse or unknown-transform error is the user's file's problem
        raise UserError(f"--policy '{path}': not an albumentations pipeline ({type(exc).__name__}: {exc})") from None
    return A.Compose([loaded, A.Resize(size, size)])


def policy(name_or_file: str, size: int, flip: bool = True) -> A.Compose:
    return builtin(name_or_file, size, flip) if name_or_file in POLICIES else from_file(name_or_file, size)


def augment(pipeline: A.Compose, image: np.ndarray, seed: int) -> np.ndarray:
    """One augmented copy of a uint8 HWC (or HW) image; `seed` makes it reproducible from the manifest."""
    pipeline.set_random_seed(seed)
    out = pipeline(image=image)["image"]
    if out.ndim == 3 and image.ndim == 2:
        out = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    return np.ascontiguousarray(out)
