"""Paired training data: A/x.png <-> B/x.jpg matched by relative path without extension, never guessed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gantools.data.folders import CachedImages, find_images, pad_square
from gantools.errors import UserError
from gantools.files.imageio import ImageError, as_channels, read_image

ASPECT_TOLERANCE = 0.02  # A and B may differ in size (B resized to A), not in shape


def _key(root: Path, path: Path) -> str:
    return str(path.relative_to(root).with_suffix(""))


@dataclass
class PairListing:
    a_root: Path
    b_root: Path
    pairs: list[tuple[Path, Path]]
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> dict:
        return {"a": str(self.a_root), "b": str(self.b_root), "pairs": len(self.pairs), "only_in_a": self.only_a,
                "only_in_b": self.only_b, "skipped_files": [{"file": f, "reason": r} for f, r in self.skipped]}

    def describe(self) -> str:
        """One line for the console: pairs found, names without a partner, pairs skipped and why."""
        line = f"data: {len(self.pairs)} pairs from {self.a_root} -> {self.b_root}"
        for names, where in ((self.only_a, "only in A"), (self.only_b, "only in B")):
            if names:
                line += f"; {len(names)} {where} (not paired): {', '.join(names[:5])}" + (" ..." if len(names) > 5 else "")
        if self.skipped:
            line += f"; {len(self.skipped)} pair(s) skipped: " + "; ".join(f"{Path(f).name} ({r})" for f, r in self.skipped[:5])
        return line


def match_pairs(a_dir: str | Path, b_dir: str | Path) -> PairListing:
    """Files of A and B with the same relative name; the unmatched ones are listed, not paired by order."""
    a_root, b_root = Path(a_dir), Path(b_dir)
    for root, side in ((a_root, "A"), (b_root, "B")):
        if not root.is_dir():
            raise UserError(f"--pairs {side} folder '{root}' is not a folder")
    a = {_key(a_root, p): p for p in find_images(a_root)}
    b = {_key(b_root, p): p for p in find_images(b_root)}
    common = sorted(a.keys() & b.keys())
    listing = PairListing(a_root, b_root, [(a[k], b[k]) for k in common], sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys()))
    if not common:
        raise UserError(f"--pairs: no file name is in both '{a_root}' ({len(a)} images) and '{b_root}' ({len(b)} images)")
    return listing


class PairedSquares(CachedImages):
    """Matched pairs decoded into memory as one uint8 CHW tensor each: A's gray channel, then B's RGB,
    both fitted whole onto a white square. Pairs of different shapes or unreadable files are skipped."""

    def __init__(self, listing: PairListing, size: int, workers: int = 4):
        self.listing = listing

        def load(pair: tuple[Path, Path]):
            a_path, b_path = pair
            try:
                a, b = as_channels(read_image(a_path), 1), as_channels(read_image(b_path), 3)
            except ImageError as exc:
                return f"{exc}"
            (ah, aw), (bh, bw) = a.shape[:2], b.shape[:2]
            if abs(aw / ah - bw / bh) > ASPECT_TOLERANCE * (aw / ah):
                return f"A is {aw}x{ah} but B is {bw}x{bh}: different shapes, cannot be aligned"
            return np.concatenate([pad_square(a, size), pad_square(b, size)], axis=2)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(load, listing.pairs))
        listing.skipped += [(str(a), r) for (a, _), r in zip(listing.pairs, results) if isinstance(r, str)]
        listing.pairs = [p for p, r in zip(listing.pairs, results) if not isinstance(r, str)]
        good = [r for r in results if not isinstance(r, str)]
        if not good:
            raise UserError(f"--pairs: none of the matched pairs could be used ({len(listing.skipped)} skipped)")
        self.cache = np.ascontiguousarray(np.stack(good).transpose(0, 3, 1, 2))
