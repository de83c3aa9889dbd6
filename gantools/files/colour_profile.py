"""Embedded colour profiles: pictures are brought into sRGB, the space every bundled model was trained in.

Phones save Display P3 and cameras Adobe RGB; read as if they were sRGB, their colours come out dull and shifted, and
an output written without the profile keeps the error. So an RGB or CMYK picture with a non-sRGB ICC profile is converted
to sRGB by LittleCMS (Pillow's ImageCms) as it is read; outputs are sRGB, which needs no profile. LittleCMS in
Pillow handles 8-bit only: 16-bit colour with a matrix/TRC profile (ProPhoto, Adobe RGB, P3) is converted by
gantools.files.icc_matrix instead, at 16-bit precision, as are gray pictures' tone curves (a scan's "Dot Gain 20%").
"""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image, ImageCms

from gantools.files.icc_matrix import NotMatrixShaper, convert_16bit, gray_table

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_SRGB_BYTES = _SRGB.tobytes()
_UNREADABLE = (ImageCms.PyCMSError, OSError, ValueError, TypeError, struct.error)


def to_srgb(im: Image.Image, notes: list[str]) -> Image.Image:
    """`im` in sRGB: converted from its embedded profile when it has one that is not sRGB; a note says what was done."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im  # gray pictures: gray_to_srgb, on their pixels
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        name = (ImageCms.getProfileDescription(source) or "").strip() or "unnamed"
        if "srgb" in name.lower():
            return im
        # CMYK through its print profile (without one, PIL's formula later: inks as pure primaries, too vivid)
        converted = ImageCms.profileToProfile(im, source, _SRGB, outputMode="RGB" if im.mode == "CMYK" else im.mode)
    except _UNREADABLE as exc:
        notes.append(f"embedded colour profile unreadable, ignored ({exc})")
        return im
    notes.append(f"colours converted to sRGB from the embedded profile '{name}'")
    return converted


def to_srgb_16bit(rgb: np.ndarray, icc: bytes, notes: list[str]) -> np.ndarray:
    """16-bit `rgb` (H, W, 3) in sRGB: converted from the profile `icc` when it is not sRGB; a note says what was done."""
    try:
        name = (ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))) or "").strip() or "unnamed"
        if "srgb" in name.lower():
            return rgb
        converted = convert_16bit(rgb, icc, _SRGB_BYTES)
    except NotMatrixShaper as exc:
        notes.append(f"embedded colour profile not applied to 16-bit colour ({exc}): read as sRGB")
        return rgb
    except _UNREADABLE as exc:
        notes.append(f"embedded colour profile unreadable, ignored ({exc})")
        return rgb
    notes.append(f"colours converted to sRGB from the embedded profile '{name}'")
    return converted


def gray_to_srgb(gray: np.ndarray, icc: bytes, notes: list[str]) -> np.ndarray:
    """8- or 16-bit gray in sRGB's tones: its profile's tone curve replaced by sRGB's when it is another; a note says so."""
    try:
        name = (ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))) or "").strip() or "unnamed"
        if "srgb" in name.lower() or "sgray" in name.lower():
            return gray
        table = gray_table(icc, gray.dtype)
        peak = len(table) - 1
        if np.abs(table.astype(np.int64) - np.arange(peak + 1)).max() <= max(1, peak // 255):
            return gray  # sRGB's own curve under another name (JPEG XL's "Gra_D65_Rel_SRG"): nothing to convert
        converted = table[gray]
    except NotMatrixShaper as exc:
        notes.append(f"embedded colour profile not applied ({exc}): read as sRGB")
        return gray
    except _UNREADABLE as exc:
        notes.append(f"embedded colour profile unreadable, ignored ({exc})")
        return gray
    notes.append(f"tones converted to sRGB from the embedded profile '{name}'")
    return converted
