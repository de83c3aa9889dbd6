"""Embedded colour profiles: pictures are brought into sRGB, the space every bundled model was trained in.

Phones save Display P3 and cameras Adobe RGB; read as if they were sRGB, their colours come out dull and shifted, and
an output written without the profile keeps the error. So an RGB or CMYK picture with a non-sRGB ICC profile is converted
to sRGB by LittleCMS (Pillow's ImageCms) as it is read; outputs are sRGB, which needs no profile. LittleCMS in
Pillow handles 8-bit only: 16-bit colour with a matrix/TRC profile (ProPhoto, Adobe RGB, P3) is converted by
gantools.files.icc_matrix instead, at 16-bit precision, as are gray pictures' tone curves (a scan's "Dot Gain 20%");
16-bit colour with a table-based profile, and 16-bit CMYK with its print profile, go through LittleCMS on a lattice
(gantools.files.icc_lattice).
"""

from __future__ import annotations

import functools
import io
import struct

import numpy as np
from PIL import Image, ImageCms

from gantools.files import icc_lattice
from gantools.files.icc_matrix import NotMatrixShaper, convert_16bit, gray_curve, gray_table, matrix_shaper

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_SRGB_BYTES = _SRGB.tobytes()
_UNREADABLE = (ImageCms.PyCMSError, OSError, ValueError, TypeError, struct.error)


def _is_srgb(icc: bytes, name: str, srgb_names: tuple[str, ...]) -> bool:
    """sRGB by name, and by content where it can be read: "GIMP built-in Linear sRGB" (16-bit and float work) is not."""
    return any(s in name.lower() for s in srgb_names) and _srgb_content(icc)


@functools.lru_cache(maxsize=16)  # a folder's photos share one or two profiles: each is read once
def _srgb_content(icc: bytes) -> bool:
    srgb_matrix, srgb_curves = matrix_shaper(_SRGB_BYTES)
    try:
        if icc[16:20] == b"GRAY":
            matrix, curves = srgb_matrix, [gray_curve(icc)] * 3
        else:
            matrix, curves = matrix_shaper(icc)
    except (ValueError, struct.error):  # lookup tables (ICC v4's sRGB): the name is all there is to go on
        return True
    # a gamma 2.2 curve under sRGB's name passes (0.009 from sRGB's in linear light); a linear one does not (0.2)
    return np.abs(matrix - srgb_matrix).max() < 0.01 and max(np.abs(c - t).max() for c, t in zip(curves, srgb_curves)) < 0.02


def _through_profile(picture, icc: bytes, notes: list[str], convert, converted_what: str = "colours",
                     unapplied: str = "embedded colour profile not applied", srgb_names: tuple[str, ...] = ("srgb",)):
    """`convert(source profile)` of `picture`, unless the profile is sRGB by name or `convert` says so (None); a
    profile that cannot be read, or not by `convert` (NotMatrixShaper), leaves `picture` as it is. A note says which."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        name = (ImageCms.getProfileDescription(source) or "").strip() or "unnamed"
        converted = None if _is_srgb(icc, name, srgb_names) else convert(source)
    except NotMatrixShaper as exc:
        notes.append(f"{unapplied} ({exc}): read as sRGB")
        return picture
    except _UNREADABLE as exc:
        notes.append(f"embedded colour profile unreadable, ignored ({exc})")
        return picture
    if converted is None:
        return picture
    notes.append(f"{converted_what} converted to sRGB from the embedded profile '{name}'")
    return converted


def to_srgb(im: Image.Image, notes: list[str]) -> Image.Image:
    """`im` in sRGB: converted from its embedded profile when it has one that is not sRGB; a note says what was done."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im  # gray pictures: gray_to_srgb, on their pixels
    # CMYK through its print profile (without one, PIL's formula later: inks as pure primaries, too vivid)
    mode = "RGB" if im.mode == "CMYK" else im.mode
    return _through_profile(im, icc, notes, lambda source: ImageCms.profileToProfile(im, source, _SRGB, outputMode=mode))


def to_srgb_16bit(rgb: np.ndarray, icc: bytes, notes: list[str]) -> np.ndarray:
    """16-bit `rgb` (H, W, 3) in sRGB: converted from the profile `icc` when it is not sRGB; a note says what was done."""

    def convert(source):
        try:
            return convert_16bit(rgb, icc, _SRGB_BYTES)  # matrix/TRC: exact at 16 bits
        except NotMatrixShaper:
            if icc[16:20] != b"RGB ":
                raise
            return icc_lattice.convert_16bit(rgb, source, _SRGB)  # lookup tables: LittleCMS, sampled and interpolated

    return _through_profile(rgb, icc, notes, convert, unapplied="embedded colour profile not applied to 16-bit colour")


def cmyk_to_srgb_16bit(cmyk: np.ndarray, icc: bytes, notes: list[str]) -> np.ndarray | None:
    """16-bit inks (H, W, 4) as 16-bit sRGB through their print profile `icc`; None where it cannot be used (a note says
    why), for the caller's formula."""
    return _through_profile(None, icc, notes, lambda source: icc_lattice.convert_cmyk_16bit(cmyk, source, _SRGB))


def gray_to_srgb(gray: np.ndarray, icc: bytes, notes: list[str]) -> np.ndarray:
    """8- or 16-bit gray in sRGB's tones: its profile's tone curve replaced by sRGB's when it is another; a note says so."""

    def convert(source):
        table = gray_table(icc, gray.dtype)
        peak = len(table) - 1
        if np.abs(table.astype(np.int64) - np.arange(peak + 1)).max() <= max(1, peak // 255):
            return None  # sRGB's own curve under another name (JPEG XL's "Gra_D65_Rel_SRG"): nothing to convert
        return table[gray]

    return _through_profile(gray, icc, notes, convert, converted_what="tones", srgb_names=("srgb", "sgray"))
