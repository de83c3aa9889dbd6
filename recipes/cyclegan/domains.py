"""Two unpaired image folders as one training set, with CycleGAN's preprocessing choices.

Each image is decoded once into memory, prepared by `preprocess`:
  resize_and_crop  resized to load_size x load_size (aspect not kept), then a random size x size crop
  crop             its own pixels, a random size x size crop (images smaller than that are skipped)
  scale_width      width to load_size, aspect kept (at least size high), then a random crop
  none             whole, as it is (every image must have the size of the first, sides a multiple of 4)
and flipped left-right at random when `flip`. Item i is A[i mod |A|] with B[i mod |B|]: the domains may differ
in size, and their pairing means nothing (no loss compares an A with a B). Crops and flips draw from torch's
generator in the training process, so a resumed run repeats them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from gantools.data.folders import ImageData, Listing
from gantools.errors import UserError
from gantools.files.imageio import ImageError, as_channels, read_image

PREPROCESS = ("resize_and_crop", "crop", "scale_width", "none")
MEMORY_LIMIT_BYTES = 6 << 30


def prepare(pixels: np.ndarray, preprocess: str, size: int, load_size: int) -> np.ndarray:
    """HWC uint8 -> the canvas random crops are cut from (see the module docstring); ValueError if it cannot be."""
    h, w = pixels.shape[:2]
    if preprocess == "resize_and_crop":
        return cv2.resize(pixels, (load_size, load_size), interpolation=cv2.INTER_AREA if min(h, w) > load_size else cv2.INTER_CUBIC)
    if preprocess == "scale_width":
        nh = max(size, round(h * load_size / w))
        return cv2.resize(pixels, (load_size, nh), interpolation=cv2.INTER_AREA if w > load_size else cv2.INTER_CUBIC)
    if preprocess == "crop":
        if min(h, w) < size:
            raise ValueError(f"{w}x{h} is smaller than the {size}x{size} crop")
        return pixels
    return pixels[: h // 4 * 4, : w // 4 * 4]


@dataclass
class DomainListing:
    """The two folders as the run log and the model card see them: files and skipped files per domain."""

    a: Listing
    b: Listing

    @property
    def skipped(self) -> list[tuple[str, str]]:
        return self.a.skipped + self.b.skipped

    def parts(self) -> list[tuple[Path, list[Path]]]:
        return [(self.a.root, self.a.files), (self.b.root, self.b.files)]

    def summary(self) -> dict:
        return {"a": self.a.summary(), "b": self.b.summary(),
                "skipped_files": [{"file": f, "reason": r} for f, r in self.skipped[:100]]}

    def describe(self) -> str:
        return "; ".join(f"domain {name}: " + lst.describe().removeprefix("data: ") for name, lst in (("A", self.a), ("B", self.b)))


class UnpairedImages(ImageData):
    def __init__(self, a: Listing, b: Listing, preprocess: str, size: int, load_size: int, flip: bool, workers: int = 4):
        self.size, self.flip, self.crop = size, flip, preprocess != "none"
        self.domains = {"A": self._load(a, preprocess, size, load_size, workers), "B": self._load(b, preprocess, size, load_size, workers)}
        self.listing = DomainListing(a, b)
        if preprocess == "none":
            shapes = {img.shape for images in self.domains.values() for img in images}
            if len(shapes) > 1:
                raise UserError(f"preprocess none needs one image size in both domains; found {len(shapes)} sizes "
                                f"(e.g. {', '.join(f'{s[1]}x{s[0]}' for s in list(shapes)[:3])}): use resize_and_crop or crop")
        total = sum(img.nbytes for images in self.domains.values() for img in images)
        if total > MEMORY_LIMIT_BYTES:
            raise UserError(f"the two domains take {total / 2**30:.1f} GiB decoded at their own size; "
                            "use preprocess resize_and_crop or scale_width (they are resized to load_size)")

    @staticmethod
    def _load(listing: Listing, preprocess: str, size: int, load_size: int, workers: int) -> list[np.ndarray]:
        def load(path: Path):
            try:
                return prepare(as_channels(read_image(path), 3), preprocess, size, load_size)
            except (ImageError, ValueError) as exc:
                return str(exc)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(load, listing.files))
        listing.skipped += [(str(p), r) for p, r in zip(listing.files, results) if isinstance(r, str)]
        listing.files = [p for p, r in zip(listing.files, results) if not isinstance(r, str)]
        images = [r for r in results if not isinstance(r, str)]
        if not images:
            raise UserError(f"no usable images in '{listing.root}' ({len(listing.skipped)} file(s) skipped: "
                            + "; ".join(f"{Path(f).name}: {r}" for f, r in listing.skipped[:3]) + ")")
        return images

    @property
    def in_memory(self) -> bool:
        return True

    def __len__(self) -> int:
        return max(len(images) for images in self.domains.values())

    def _cut(self, image: np.ndarray, generator: torch.Generator | None, centre: bool = False) -> torch.Tensor:
        s = self.size
        if self.crop:
            h, w = image.shape[:2]
            if centre:
                top, left = (h - s) // 2, (w - s) // 2
            else:
                top, left = int(torch.randint(0, h - s + 1, (), generator=generator)), int(torch.randint(0, w - s + 1, (), generator=generator))
            image = image[top : top + s, left : left + s]
        t = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))
        if self.flip and not centre and bool(torch.rand((), generator=generator) < 0.5):
            t = t.flip(2)
        return t

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        a, b = self.domains["A"], self.domains["B"]
        return self._cut(a[index % len(a)], None), self._cut(b[index % len(b)], None)

    def centre(self, domain: str, index: int) -> torch.Tensor:
        """A fixed (centre, unflipped) crop, for previews: draws nothing from any random stream."""
        images = self.domains[domain]
        return self._cut(images[index % len(images)], None, centre=True)
