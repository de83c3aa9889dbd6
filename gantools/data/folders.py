"""Finding images and class folders, and the dataset of fixed-size training images a recipe asks for."""

from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import cv2
import numpy as np
import torch
from torch.utils.data import Dataset

from gantools.errors import UserError
from gantools.files.atomic import write_text
from gantools.files.imageio import ImageError, as_channels, is_image_file, read_image

log = logging.getLogger("gantools.data.folders")
# Decoded training sets up to this size are kept in memory: every epoch after the first is free.
PRELOAD_LIMIT_BYTES = 1 << 30


def find_images(root: Path, recursive: bool = True) -> list[Path]:
    """Image files under `root`, sorted, hidden files and folders skipped."""
    pattern = root.rglob("*") if recursive else root.glob("*")
    return sorted(p for p in pattern if is_image_file(p) and not any(part.startswith(".") for part in p.relative_to(root).parts))


@dataclass
class Listing:
    """What a data folder holds: files, their class indices (or None), class names, files skipped."""

    root: Path
    files: list[Path]
    labels: list[int] | None
    classes: list[str]
    skipped: list[tuple[str, str]]

    def summary(self) -> dict:
        counts = Counter(self.labels) if self.labels is not None else {}
        return {
            "root": str(self.root),
            "images": len(self.files),
            "skipped": len(self.skipped),
            "classes": {name: counts.get(i, 0) for i, name in enumerate(self.classes)},
            "skipped_files": [{"file": f, "reason": r} for f, r in self.skipped[:100]],
        }

    def describe(self) -> str:
        """One line for the console: how much data, and which files were skipped and why."""
        kinds = f" in {len(self.classes)} classes" if self.classes else ""
        line = f"data: {len(self.files)} images{kinds} from {self.root}"
        if self.skipped:
            shown = "; ".join(f"{Path(f).name} ({r})" for f, r in self.skipped[:5])
            more = f"; and {len(self.skipped) - 5} more" if len(self.skipped) > 5 else ""
            line += f"; {len(self.skipped)} file(s) skipped: {shown}{more}"
        return line


NOT_DATA = ".gantools-not-data"  # names, one a line, of files in a data folder that are not training images


def not_data(root: Path) -> set[str]:
    """Files a tool declared as not data (e.g. a sample grid written beside the class folders)."""
    marker = root / NOT_DATA
    return set(marker.read_text(encoding="utf-8").split("\n")) - {""} if marker.is_file() else set()


def mark_not_data(root: Path, name: str) -> None:
    if name not in not_data(root):
        write_text(root / NOT_DATA, "\n".join(sorted(not_data(root) | {name})) + "\n")


def list_data(root: str | Path, conditional: bool) -> Listing:
    """Scan a data folder. Conditional: one subfolder per class. Unconditional: every image below root."""
    root = Path(root).expanduser()
    if not root.exists():
        raise UserError(f"data folder '{root}' does not exist")
    if not root.is_dir():
        raise UserError(f"'{root}' is not a folder (--data takes a folder of images)")
    if not conditional:
        files = find_images(root)
        if not files:
            raise UserError(f"no images found in '{root}' (looked for jpg, jpeg, png, bmp, tif, tiff, webp, gif)")
        return Listing(root, files, None, [], [])
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    loose = [p.name for p in root.iterdir() if is_image_file(p)]
    loose = [name for name in loose if name not in not_data(root)]
    if loose:
        raise UserError(
            f"'{root}' holds {len(loose)} image(s) directly (e.g. {loose[0]}); a class-conditional run needs one subfolder per class"
        )
    if not classes:
        raise UserError(f"'{root}' has no class subfolders; a class-conditional run needs one subfolder per class")
    files, labels = [], []
    for index, name in enumerate(classes):
        found = find_images(root / name)
        files += found
        labels += [index] * len(found)
    if not files:
        raise UserError(f"no images found in the class folders of '{root}'")
    return Listing(root, files, labels, classes, [])


def looks_gray(files: list[Path], probe: int = 32) -> bool:
    """Gray if every probed image is single-channel or has equal R, G and B."""
    step = max(1, len(files) // probe)
    for path in files[::step][:probe]:
        try:
            pix = read_image(path).pixels
        except ImageError:
            continue
        if pix.ndim == 3 and not ((pix[..., 0] == pix[..., 1]).all() and (pix[..., 1] == pix[..., 2]).all()):
            return False
    return True


def channels_for(color: str) -> int:
    """1 or 3 for a `color` setting of gray or rgb; 'auto' is settled by reading the data, which must come first:
    networks built before it would guess, so they are refused."""
    if color == "auto":
        raise UserError("color is 'auto': read the data (recipe.dataset) before building networks, or set --color gray|rgb")
    return 1 if color == "gray" else 3


def check_classes(listing: Listing, min_per_class: int = 2) -> None:
    """After bad files are dropped: every class must keep enough images to learn from."""
    if listing.labels is None:
        return
    counts = Counter(listing.labels)
    for index, name in enumerate(listing.classes):
        if counts.get(index, 0) < min_per_class:
            raise UserError(
                f"class '{name}' has {counts.get(index, 0)} readable image(s); each class needs at least {min_per_class}"
            )


def fit_square(pixels: np.ndarray, size: int) -> np.ndarray:
    """Resize the shorter side to `size` (area filter down, cubic up), then crop the centre square."""
    h, w = pixels.shape[:2]
    scale = size / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(pixels, (nw, nh), interpolation=interp)
    if resized.ndim == 2:
        resized = resized[..., None]
    top, left = (nh - size) // 2, (nw - size) // 2
    return resized[top : top + size, left : left + size]


def pad_square(pixels: np.ndarray, size: int, background: int = 255) -> np.ndarray:
    """The whole image, centred on a `background` square, resized to size x size: objects keep every part."""
    h, w = pixels.shape[:2]
    side = max(h, w)
    top, left = (side - h) // 2, (side - w) // 2
    pad = ((top, side - h - top), (left, side - w - left)) + ((0, 0),) * (pixels.ndim - 2)
    square = np.pad(pixels, pad, constant_values=background)
    interp = cv2.INTER_AREA if side > size else cv2.INTER_CUBIC
    resized = cv2.resize(square, (size, size), interpolation=interp)
    return resized[..., None] if resized.ndim == 2 else resized


def load_square(path: Path, channels: int, size: int, fit: str = "crop") -> np.ndarray:
    """One training image as HWC uint8 with `channels` channels at size x size: centre crop or white padding."""
    pixels = as_channels(read_image(path), channels)
    return pad_square(pixels, size) if fit == "pad" else fit_square(pixels, size)


class ImageData(Dataset):
    """A training dataset as the trainer and run folder see it: `listing` says what was found and skipped;
    `in_memory` says the decoded images are held in memory, so the loader needs no worker processes."""

    listing: Listing | None = None

    @property
    def in_memory(self) -> bool:
        return False


class SquareImages(ImageData):
    """Images (with class labels if any) as uint8 CHW tensors at a fixed square size.

    Small sets are decoded once into memory; bad files are then dropped up front and counted. Large sets
    are decoded on the fly; a file that fails there is replaced by its neighbour and logged by name.
    """

    def __init__(self, listing: Listing, channels: int, size: int, preload: bool | None = None, workers: int = 4,
                 fit: str = "crop"):
        self.listing, self.channels, self.size, self.fit = listing, channels, size, fit
        if preload is None:
            preload = len(listing.files) * channels * size * size <= PRELOAD_LIMIT_BYTES
        self.cache: np.ndarray | None = None
        if preload:
            self._preload(workers)
        else:
            self._check_headers()
        if not listing.files:
            raise UserError(f"no readable images in '{listing.root}' ({len(listing.skipped)} file(s) could not be read)")
        check_classes(listing)

    def _drop(self, bad: dict[int, str]) -> None:
        lst = self.listing
        for i, reason in sorted(bad.items()):
            lst.skipped.append((str(lst.files[i]), reason))
            log.info("skipped %s: %s", lst.files[i], reason)
        keep = [i for i in range(len(lst.files)) if i not in bad]
        lst.files = [lst.files[i] for i in keep]
        if lst.labels is not None:
            lst.labels = [lst.labels[i] for i in keep]

    def _preload(self, workers: int) -> None:
        def load(path: Path):
            try:
                return load_square(path, self.channels, self.size, self.fit)
            except ImageError as exc:
                return str(exc)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(load, self.listing.files))
        bad = {i: r for i, r in enumerate(results) if isinstance(r, str)}
        self._drop(bad)
        good = [r for r in results if not isinstance(r, str)]
        if good:
            self.cache = np.ascontiguousarray(np.stack(good).transpose(0, 3, 1, 2))

    def _check_headers(self) -> None:
        from PIL import Image

        bad = {}
        for i, path in enumerate(self.listing.files):
            try:
                if path.stat().st_size == 0:
                    raise OSError("empty file (0 bytes)")
                with Image.open(path):
                    pass
            except Exception as exc:  # any header failure is a bad file, never a crash
                bad[i] = f"not a readable image: {exc}"
        self._drop(bad)

    @property
    def in_memory(self) -> bool:
        return self.cache is not None

    def __len__(self) -> int:
        return len(self.listing.files)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        label = self.listing.labels[index] if self.listing.labels is not None else -1
        if self.cache is not None:
            return torch.from_numpy(self.cache[index]), label
        for attempt in range(len(self)):
            i = (index + attempt) % len(self)
            try:
                pixels = load_square(self.listing.files[i], self.channels, self.size, self.fit)
                label = self.listing.labels[i] if self.listing.labels is not None else -1
                return torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1))), label
            except ImageError as exc:
                log.warning("skipped %s: %s", self.listing.files[i], exc)
        raise RuntimeError("no image in the dataset could be decoded")


def cut_tiles(pixels: np.ndarray, size: int, short_side: int) -> list[np.ndarray]:
    """Scale so the shorter side is `short_side`, then cut size x size squares at half-size strides."""
    h, w = pixels.shape[:2]
    scale = short_side / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    resized = cv2.resize(pixels, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    return square_tiles(resized, size)


def shrink_tiles(pixels: np.ndarray, size: int, factor: float) -> list[np.ndarray]:
    """Shrink by `factor` (<= 1: no tile ever holds upscaled pixels), then cut squares; none if it is too small."""
    h, w = pixels.shape[:2]
    nh, nw = round(h * factor), round(w * factor)
    if min(nh, nw) < size:
        return []
    resized = pixels if (nh, nw) == (h, w) else cv2.resize(pixels, (nw, nh), interpolation=cv2.INTER_AREA)
    return square_tiles(resized, size)


def square_tiles(pixels: np.ndarray, size: int) -> list[np.ndarray]:
    """size x size squares at half-size strides, the last row and column flush with the edges."""
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    nh, nw = pixels.shape[:2]
    stride = max(1, size // 2)
    ys = sorted({*range(0, nh - size + 1, stride), nh - size})
    xs = sorted({*range(0, nw - size + 1, stride), nw - size})
    return [pixels[y : y + size, x : x + size] for y in ys for x in xs]


class CachedImages(ImageData):
    """Samples decoded once into `self.cache` (uint8 N x C x H x W), served without labels."""

    cache: np.ndarray

    @property
    def in_memory(self) -> bool:
        return True

    def __len__(self) -> int:
        return len(self.cache)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return torch.from_numpy(self.cache[index]), -1


class PhotoTiles(CachedImages):
    """Every photo of a folder as overlapping square tiles, decoded once into memory (uint8 CHW).

    A few large photos become hundreds of training squares; unreadable (or, with factors, too small) files are skipped and counted.
    """

    def __init__(self, listing: Listing, channels: int, size: int, short_side: int | Sequence[int] = (),
                 factors: Sequence[float] = (), workers: int = 4, unusable: Callable[[np.ndarray], str | None] | None = None):
        """Tiles at each absolute `short_side`, or at each `factor` of the photo's own size (<= 1; a photo too
        small for a tile at every factor is skipped). `unusable(pixels)` gives a recipe's reason to skip a photo
        (e.g. a colorizer cannot learn colour from a gray one), or None."""
        self.listing = listing
        # Several scales show the same objects near and far: more variety from few photos.
        scales = [short_side] if isinstance(short_side, int) else list(short_side)
        if bool(scales) == bool(factors):
            raise ValueError("give short_side or factors")

        def load(path: Path):
            try:
                pixels = as_channels(read_image(path), channels)
            except ImageError as exc:
                return str(exc)
            why = unusable(pixels) if unusable else None
            if why:
                return why
            if scales:
                return [t for side in scales for t in cut_tiles(pixels, size, side)]
            found = [t for f in factors for t in shrink_tiles(pixels, size, f)]
            return found or f"{pixels.shape[1]}x{pixels.shape[0]} is smaller than the {size}x{size} training tile"

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(load, listing.files))
        for path, result in zip(listing.files, results):
            if isinstance(result, str):
                listing.skipped.append((str(path), result))
        listing.files = [p for p, r in zip(listing.files, results) if not isinstance(r, str)]
        tiles = [t for r in results if not isinstance(r, str) for t in r]
        if not tiles:
            first = f": {Path(listing.skipped[0][0]).name}: {listing.skipped[0][1]}" if listing.skipped else ""
            raise UserError(f"no usable images in '{listing.root}' ({len(listing.skipped)} file(s) skipped{first})")
        self.cache = np.ascontiguousarray(np.stack(tiles).transpose(0, 3, 1, 2))
