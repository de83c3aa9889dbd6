"""Encoding images for output: PNG/TIFF keep 16 bits and alpha, JPEG drops alpha onto white, all written atomically."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from gantools.files.atomic import atomic_path
from gantools.files.imageio import Decoded, ImageError, peak_value, to_uint8

EXTENSIONS = {"png": ".png", "jpg": ".jpg", "jpeg": ".jpg", "webp": ".webp", "tif": ".tif", "tiff": ".tif", "bmp": ".bmp"}
SIXTEEN_BIT = (".png", ".tif", ".tiff")
# The longest side each format can hold (WebP's is 14 bits; JPEG's 16): checked first, as OpenCV only logs why it fails.
LONGEST_SIDE = {".webp": 16383, ".jpg": 65535, ".jpeg": 65535}


def check_fits(suffix: str, h: int, w: int) -> None:
    """An ImageError when an h x w output cannot be stored as `suffix`."""
    suffix = suffix.lower()
    if max(h, w) > LONGEST_SIDE.get(suffix, max(h, w)):
        raise ImageError(f"the output, {w}x{h}, is too large for {suffix} (at most {LONGEST_SIDE[suffix]} px a side): "
                         "choose another format with --ext png or --ext tif")


def encode(image: Decoded, suffix: str, quality: int = 95) -> tuple[bytes, list[str]]:
    """Bytes of `image` in the format named by `suffix`, and notes on anything the format could not hold."""
    suffix = suffix.lower()
    notes: list[str] = []
    pixels, alpha = image.pixels, image.alpha
    check_fits(suffix, *pixels.shape[:2])
    if pixels.dtype == np.uint16 and suffix not in SIXTEEN_BIT:
        pixels, alpha = to_uint8(pixels), None if alpha is None else to_uint8(alpha)
        notes.append(f"16-bit reduced to 8-bit ({suffix} holds 8 bits)")
    if alpha is not None and alpha.dtype != pixels.dtype:
        alpha = to_uint8(alpha) if pixels.dtype == np.uint8 else alpha.astype(np.uint16) * 257
    if alpha is not None and suffix in (".jpg", ".jpeg", ".bmp"):
        peak = peak_value(pixels.dtype)
        a = alpha.astype(np.float32)[..., None] / peak
        base = pixels if pixels.ndim == 3 else pixels[..., None]
        pixels = np.round(base * a + peak * (1 - a)).astype(pixels.dtype).squeeze()
        alpha = None
        notes.append(f"alpha composited onto white ({suffix} has no alpha)")
    bgr = pixels if pixels.ndim == 2 else cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    if alpha is not None:
        bgr = np.dstack([bgr if bgr.ndim == 3 else np.repeat(bgr[..., None], 3, axis=2), alpha])
    params: list[int] = []
    if suffix in (".jpg", ".jpeg"):
        params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)]
    elif suffix == ".webp":
        params = [cv2.IMWRITE_WEBP_QUALITY, int(quality)]
    ok, buf = cv2.imencode(suffix if suffix != ".tiff" else ".tif", bgr, params)
    if not ok:
        raise ImageError(f"the {suffix} encoder refused this image ({w}x{h})")
    return buf.tobytes(), notes


def write(image: Decoded, path: Path, quality: int = 95) -> list[str]:
    """Encode and write atomically (temporary name, then rename); returns the notes."""
    data, notes = encode(image, path.suffix, quality)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return notes
