"""CMYK TIFFs that PIL cannot read as they are (Photoshop's prepress files): 16-bit ones, which PIL reads at 8 bits,
and ones with an alpha channel, which it does not open. Their inks come from tifffile (gantools.files.tiff_page);
16-bit ones become 16-bit RGB through the print profile (gantools.files.colour_profile) or, without one, by PIL's own
formula (each ink a pure primary) at 16-bit precision.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gantools.files.tiff_page import first_page


def read_cmyk(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """(H, W, 4) uint8 or uint16 inks (0 = no ink) and the alpha when the file has one, as stored (not turned upright);
    NeedsCodec where the file's compression needs imagecodecs."""
    arr, extra = first_page(path)
    if arr.dtype not in (np.uint8, np.uint16) or arr.ndim != 3 or arr.shape[2] < 4:
        raise ValueError(f"CMYK TIFF with pixels of shape {arr.shape}, {arr.dtype}")
    alpha = np.ascontiguousarray(arr[..., 4]) if arr.shape[2] > 4 and extra[:1] in ((1,), (2,)) else None
    return np.ascontiguousarray(arr[..., :4]), alpha


def cmyk_to_rgb16(cmyk: np.ndarray) -> np.ndarray:
    """PIL's formula for CMYK without a profile, at 16 bits: each channel (1 - ink) x (1 - black), rounded."""
    out = np.empty(cmyk.shape[:-1] + (3,), np.uint16)
    for top in range(0, cmyk.shape[0], 256):  # in bands: whole-picture temporaries of a 24 MP file would take 1 GiB
        band = cmyk[top : top + 256].astype(np.uint32)
        product = (65535 - band[..., :3]) * (65535 - band[..., 3:])  # at most 65535², within 32 bits
        out[top : top + 256] = (product + 32767) // 65535  # rounded: p / 65535 is never halfway between integers
    return out
