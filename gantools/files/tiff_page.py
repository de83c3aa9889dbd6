"""A TIFF's first picture by tifffile, for the kinds PIL and OpenCV do not read (half float, CMYK at 16 bits or with
alpha): channels last, whatever the file's planar layout. LZW, PackBits writing and the float predictor need
imagecodecs (a 26 MB package of compiled codecs), not a dependency for the sake of rare kinds of file: a file that
needs it raises NeedsCodec, naming its compression (with it installed, they decode)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class NeedsCodec(Exception):
    """The file's compression needs the imagecodecs package; the message says which compression."""


def first_page(path: Path) -> tuple[np.ndarray, tuple[int, ...]]:
    """The first page's pixels (H, W[, C]) as stored (not turned upright), and its ExtraSamples (1, 2: alpha)."""
    import tifffile

    with tifffile.TiffFile(path) as tif:
        page = tif.pages[0]
        try:
            arr = page.asarray()
        except (KeyError, ValueError) as exc:  # "<COMPRESSION.LZW: 5> requires the 'imagecodecs' package"
            if "imagecodecs" not in str(exc):
                raise
            raise NeedsCodec(page.compression.name + ("" if page.predictor == 1 else f" with predictor {page.predictor.name}")) from exc
        if page.planarconfig == 2 and arr.ndim == 3:  # channels stored as separate planes
            arr = np.moveaxis(arr, 0, -1)
        return arr, tuple(page.extrasamples)
