"""Embedded colour profiles: pictures are brought into sRGB, the space every bundled model was trained in.

Phones save Display P3 and cameras Adobe RGB; read as if they were sRGB, their colours come out dull and shifted, and
an output written without the profile keeps the error. So an RGB picture with a non-sRGB ICC profile is converted
to sRGB by LittleCMS (Pillow's ImageCms) as it is read; outputs are sRGB, which needs no profile.
"""

from __future__ import annotations

import io

from PIL import Image, ImageCms

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def to_srgb(im: Image.Image, notes: list[str]) -> Image.Image:
    """`im` in sRGB: converted from its embedded profile when it has one that is not sRGB; a note says what was done."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA"):
        return im  # gray pictures' profiles change tones only slightly; CMYK is converted by formula later
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        name = (ImageCms.getProfileDescription(source) or "").strip() or "unnamed"
        if "srgb" in name.lower():
            return im
        converted = ImageCms.profileToProfile(im, source, _SRGB, outputMode=im.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as exc:
        notes.append(f"embedded colour profile unreadable, ignored ({exc})")
        return im
    notes.append(f"colours converted to sRGB from the embedded profile '{name}'")
    return converted
