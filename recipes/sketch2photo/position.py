"""Where a pixel sits in the picture, as an input channel (CoordConv, Liu et al. 2018) for sketch2photo's G and D.

A drawing's empty area is a sky when it is at the top and a wall or a table when it is not; convolutions do not
know which, so G paints every empty area the same safe colour. A channel holding each pixel's height in the
picture (-1 at the top, 1 at the bottom of the square the photo was fitted on) lets both nets tell them apart.
"""

from __future__ import annotations

import torch


def height_channel(n: int, rows: int, cols: int, top: int, side: int, device: torch.device | None = None) -> torch.Tensor:
    """(n, 1, rows, cols): the height in [-1, 1] of rows `top`..`top + rows - 1` of a picture `side` rows tall."""
    y = (torch.arange(rows, dtype=torch.float32, device=device) + top + 0.5) * (2.0 / side) - 1.0
    return y[None, None, :, None].expand(n, 1, rows, cols)


def with_height(drawing: torch.Tensor, top: int, side: int) -> torch.Tensor:
    """Drawing (N, 1, H, W) -> (N, 2, H, W): the drawing and its height channel."""
    n, _, h, w = drawing.shape
    return torch.cat([drawing, height_channel(n, h, w, top, side, drawing.device).to(drawing.dtype)], 1)
