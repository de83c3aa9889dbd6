"""Tiles with context: a large image is run piece by piece, each piece with `overlap` pixels of its
neighbours around it that are cut off after the forward. With the overlap at least the network's
receptive radius, the pieces put together equal the whole image run at once: no seams, and memory set
by the tile, not the image."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator


@dataclass(frozen=True)
class Tile:
    y0: int  # the core this tile contributes to the output (input pixels)
    x0: int
    y1: int
    x1: int
    cy0: int  # the core plus its context: what goes through the network
    cx0: int
    cy1: int
    cx1: int

    def core_of(self, scale: int = 1) -> tuple[slice, slice]:
        """Where the core lies in the network's output for the context crop (output = scale x input)."""
        return (slice((self.y0 - self.cy0) * scale, (self.y1 - self.cy0) * scale),
                slice((self.x0 - self.cx0) * scale, (self.x1 - self.cx0) * scale))


def tiles(height: int, width: int, tile: int, overlap: int) -> Iterator[Tile]:
    """Row by row; `tile` 0 means the whole image as one tile."""
    tile = tile or max(height, width)
    for y0 in range(0, height, tile):
        for x0 in range(0, width, tile):
            y1, x1 = min(y0 + tile, height), min(x0 + tile, width)
            yield Tile(y0, x0, y1, x1, max(0, y0 - overlap), max(0, x0 - overlap), min(height, y1 + overlap), min(width, x1 + overlap))
