"""What a folder run is asked to do, and the input it names: both settled before anything heavy is loaded (torch, the
model), so a user's mistake is said at once rather than after seconds of loading."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gantools.defaults import DEFAULT_CRF, DEFAULT_MAX_PIXELS
from gantools.errors import UserError


@dataclass
class RunOptions:
    glob: str | None = None
    suffix: str = ""
    ext: str = "same"
    quality: int = 95
    overwrite: bool = False
    workers: int = 2
    batch_size: int = 4
    max_pixels: int = DEFAULT_MAX_PIXELS
    progress: bool = True
    shard: tuple[int, int] | None = None  # (K, N): this run takes the K-th of N disjoint parts of the inputs
    codec: str | None = None  # video outputs: None = H.264 (VP9 for WebM)
    crf: int = DEFAULT_CRF  # video outputs: constant-rate-factor quality (lower = better, bigger)


def require_input(src: Path) -> None:
    if not src.exists():
        raise UserError(f"input '{src}' does not exist")
