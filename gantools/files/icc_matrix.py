"""Matrix/TRC ICC profiles read from their bytes, so 16-bit colour can be brought into sRGB at 16-bit precision,
and gray pictures' tone curves (a scan's "Dot Gain 20%" or "Gray Gamma 2.2") turned into sRGB's.

Pillow's LittleCMS binding converts 8-bit pictures only, yet a raw developer's 16-bit TIFF is in ProPhoto or Adobe
RGB. Nearly every RGB working and display space is a matrix/TRC profile: three tone curves (`curv` or `para`)
and three colorants, the columns of a matrix to XYZ (D50), which is all this reads (ICC.1:2010, 10.6, 10.18).
A profile that also carries lookup tables (A2B0) is one LittleCMS would render through them: it is not read here.
"""

from __future__ import annotations

import struct

import numpy as np

LEVELS = 65536  # the tone curves are tabulated for every 16-bit input level


class NotMatrixShaper(ValueError):
    """The profile is valid ICC but not a matrix/TRC RGB one (tables, another colour space, a missing tag)."""


def _tags(icc: bytes) -> dict[bytes, bytes]:
    if len(icc) < 132 or icc[36:40] != b"acsp":
        raise ValueError("not an ICC profile")
    (count,) = struct.unpack_from(">I", icc, 128)
    tags = {}
    for k in range(min(count, 1000)):
        sig, offset, size = struct.unpack_from(">4sII", icc, 132 + 12 * k)
        if offset + size > len(icc):
            raise ValueError(f"tag {sig!r} runs past the end of the profile")
        tags[sig] = icc[offset : offset + size]
    return tags


def _s15(data: bytes, at: int, n: int) -> list[float]:
    return [v / 65536.0 for v in struct.unpack_from(f">{n}i", data, at)]


def _curve(tag: bytes) -> np.ndarray:
    """A tone curve as a table: encoded level (0..65535) -> linear light in [0, 1]."""
    x = np.arange(LEVELS, dtype=np.float64) / (LEVELS - 1)
    kind = tag[:4]
    if kind == b"curv":
        (n,) = struct.unpack_from(">I", tag, 8)
        if n == 0:
            return x
        if n == 1:
            return x ** (struct.unpack_from(">H", tag, 12)[0] / 256.0)
        points = np.array(struct.unpack_from(f">{n}H", tag, 12), np.float64) / 65535.0
        return np.interp(x, np.linspace(0.0, 1.0, n), points)
    if kind == b"para":
        (kind_of,) = struct.unpack_from(">H", tag, 8)
        count = {0: 1, 1: 3, 2: 4, 3: 5, 4: 7}.get(kind_of)
        if count is None:
            raise NotMatrixShaper(f"parametric curve of unknown type {kind_of}")
        g, a, b, c, d, e, f = (_s15(tag, 12, count) + [0.0] * 7)[:7]
        if kind_of == 0:
            return x**g
        # Every type as (aX + b)^g + e from X = d on, cX + f below it (types 1 and 2: d = -b/a, no linear part;
        # type 3 has no e and f, left at 0).
        if kind_of in (1, 2):
            d, e, f, c = (-b / a if a else 0.0), (c if kind_of == 2 else 0.0), (c if kind_of == 2 else 0.0), 0.0
        return np.where(x >= d, np.clip(a * x + b, 0.0, None) ** g + e, c * x + f).clip(0.0, 1.0)
    raise NotMatrixShaper(f"tone curve of type {kind!r}")


def matrix_shaper(icc: bytes) -> tuple[np.ndarray, list[np.ndarray]]:
    """(3x3 matrix from linear RGB to XYZ D50, three tables from encoded level to linear light) of an RGB profile."""
    if icc[16:20] != b"RGB " or icc[20:24] != b"XYZ ":
        raise NotMatrixShaper(f"a {icc[16:20].decode('latin-1').strip()!r} profile, not RGB to XYZ")
    tags = _tags(icc)
    if b"A2B0" in tags:
        raise NotMatrixShaper("a profile built from lookup tables")
    missing = [s.decode() for s in (b"rXYZ", b"gXYZ", b"bXYZ", b"rTRC", b"gTRC", b"bTRC") if s not in tags]
    if missing:
        raise NotMatrixShaper(f"no {', '.join(missing)} tag")
    matrix = np.array([_s15(tags[s], 8, 3) for s in (b"rXYZ", b"gXYZ", b"bXYZ")], np.float64).T
    with np.errstate(all="ignore"):  # a hostile curve (a negative exponent, a = 0) gives inf or NaN: clipped, not warned
        curves = [np.nan_to_num(_curve(tags[s]), nan=0.0, posinf=1.0, neginf=0.0).clip(0.0, 1.0) for s in (b"rTRC", b"gTRC", b"bTRC")]
    return matrix, curves


def srgb_encode(linear: np.ndarray) -> np.ndarray:
    """Linear light in [0, 1] -> sRGB's encoded value (IEC 61966-2-1)."""
    linear = np.clip(linear, 0.0, 1.0)
    dtype = linear.dtype.type
    return np.where(linear <= dtype(0.0031308), dtype(12.92) * linear, dtype(1.055) * np.power(linear, dtype(1 / 2.4)) - dtype(0.055))


def convert_16bit(rgb: np.ndarray, source: bytes, srgb: bytes, rows: int = 256) -> np.ndarray:
    """(H, W, 3) uint16 in the `source` profile -> uint16 sRGB, relative colorimetric (colours outside sRGB clipped),
    a band of `rows` at a time so a 100 MP picture needs no float copy of itself."""
    matrix, curves = matrix_shaper(source)
    to_srgb = np.linalg.inv(matrix_shaper(srgb)[0]) @ matrix  # both sides' colorants are D50-relative
    curves = [c.astype(np.float32) for c in curves]  # float32 holds a 16-bit level to 1/250 of a level, twice as fast
    out = np.empty_like(rgb)
    for top in range(0, rgb.shape[0], rows):
        band = rgb[top : top + rows]
        linear = np.stack([curves[c][band[..., c]] for c in range(3)], -1) @ to_srgb.T.astype(np.float32)
        out[top : top + rows] = np.round(srgb_encode(linear) * np.float32(65535.0))
    return out


def gray_curve(icc: bytes) -> np.ndarray:
    """The table from encoded level (16-bit) to linear light of a gray profile's one tone curve (kTRC)."""
    if icc[16:20] != b"GRAY":
        raise NotMatrixShaper(f"a {icc[16:20].decode('latin-1').strip()!r} profile, not a gray one")
    tags = _tags(icc)
    if b"A2B0" in tags or b"kTRC" not in tags:
        raise NotMatrixShaper("a gray profile built from lookup tables" if b"A2B0" in tags else "no kTRC tag")
    with np.errstate(all="ignore"):
        return np.nan_to_num(_curve(tags[b"kTRC"]), nan=0.0, posinf=1.0, neginf=0.0).clip(0.0, 1.0)


def gray_table(icc: bytes, dtype) -> np.ndarray:
    """The lookup table (uint8: 256 entries, uint16: 65536) from a gray level in the profile `icc` to the same gray
    in sRGB: its tone curve in, sRGB's out."""
    peak = np.iinfo(dtype).max
    levels = np.arange(peak + 1) * ((LEVELS - 1) // peak)  # each level's place on the 16-bit table
    return np.round(srgb_encode(gray_curve(icc)[levels]) * peak).astype(dtype)
