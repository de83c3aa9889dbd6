"""Reading images robustly: EXIF rotation, colour profiles, alpha, 16-bit, gray, palette, CMYK, animated and bad files.

Every failure becomes an ImageError whose message says why, so a batch can report it and go on.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from gantools.defaults import DEFAULT_MAX_PIXELS
from gantools.files.cmyk_tiff import cmyk_to_rgb16, read_cmyk
from gantools.files.colour_profile import cmyk_to_srgb_16bit, gray_to_srgb, to_srgb, to_srgb_16bit
from gantools.files.tiff_page import NeedsCodec, first_page
from gantools.progress import plural

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".heic", ".heif", ".avif", ".jxl")

try:  # HEIC/HEIF, the iPhone's photo format: a decode-only libheif plugin for PIL (AVIF is PIL's own)
    import pi_heif

    pi_heif.register_heif_opener()
except ImportError:  # a dependency; without it .heic files fail by name as unreadable
    pass
try:  # JPEG XL (Apple's and Adobe's newer photo format): a Pillow plugin, registered on import
    import pillow_jxl  # noqa: F401
except ImportError:  # a dependency; without it .jxl files fail by name as unreadable
    pass


class ImageError(Exception):
    """An image that cannot be used, with the reason in words."""


@dataclass
class Decoded:
    """A decoded image: HWC (or HW for gray) uint8/uint16 pixels, alpha kept apart, and notes for the report."""

    pixels: np.ndarray
    alpha: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_gray(self) -> bool:
        return self.pixels.ndim == 2


def is_image_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS and not path.name.startswith(".")


def read_image(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> Decoded:
    """Decode `path` into pixels at its own size, upright (EXIF applied), never modifying the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageError(f"cannot read file: {exc.strerror or exc}") from exc
    if size == 0:
        raise ImageError("empty file (0 bytes)")
    notes: list[str] = []
    allow_pil_up_to(max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked just below, against ours
            with Image.open(path) as im:
                w, h = im.size
                if w * h > max_pixels:
                    raise ImageError(f"image is {w}x{h} = {w * h} pixels, over the limit of {max_pixels}")
                if getattr(im, "n_frames", 1) > 1:
                    notes.append(f"animated ({im.n_frames} frames): first frame used")
                    im.seek(0)
                if _is_16bit_colour(im, path):
                    # OpenCV's TIFF decoder turns a TIFF upright itself (its tag 274); a PNG's EXIF is ours to apply
                    orientation = 1 if im.format == "TIFF" else im.getexif().get(0x0112, 1)
                    return _read_16bit_colour(path, orientation, im.info.get("icc_profile"), notes)
                if im.mode == "CMYK" and _is_16bit_tiff(im):  # PIL would read it at 8 bits
                    try:
                        return _read_cmyk_tiff(path, im.tag_v2.get(274, 1), im.info.get("icc_profile"), notes)
                    except NeedsCodec as exc:  # PIL decodes it, at 8 bits
                        notes.append(f"16-bit CMYK compressed as {exc}: read at 8 bits (`pip install imagecodecs` reads it at 16)")
                im.load()
                icc = im.info.get("icc_profile")
                decoded = _to_arrays(to_srgb(ImageOps.exif_transpose(im), notes), notes, unsigned=_unsigned_32bit(im))
                if icc and decoded.is_gray and decoded.pixels.dtype in (np.uint8, np.uint16):
                    decoded.pixels = gray_to_srgb(decoded.pixels, icc, notes)
                return decoded
    except ImageError:
        raise
    except UnidentifiedImageError as exc:
        if path.suffix.lower() in (".tif", ".tiff"):  # PIL cannot open float colour TIFFs, nor CMYK with alpha
            return _read_unopened_tiff(path, notes, max_pixels)
        raise ImageError("not an image, or a format that cannot be read") from exc
    except Image.DecompressionBombError as exc:  # declared far over the limit: PIL refuses it before we see the size
        declared = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"declares {declared.group(1)} pixels, " if declared else ""
        raise ImageError(f"refused as a possible decompression bomb: {size}over the limit of {max_pixels}") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"corrupt or truncated image: {exc}") from exc
    except MemoryError as exc:
        raise ImageError("too large to decode in the memory available") from exc
    except Exception as exc:  # decoders meet damaged files with TypeError, IndexError, struct.error... (found by fuzzing)
        raise ImageError(f"corrupt image ({type(exc).__name__}: {exc})") from exc


def allow_pil_up_to(max_pixels: int) -> None:
    """Raise PIL's own bomb limit (89 MP: it would refuse a 100 MP photo) to ours; never lower it (a caller's
    stricter limit stands). Our limit is checked on the declared size before any pixel is decoded."""
    if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < max_pixels:
        Image.MAX_IMAGE_PIXELS = max_pixels


def _is_16bit_colour(im: Image.Image, path: Path) -> bool:
    """PIL reads 16-bit RGB(A) PNG and TIFF as 8-bit; such files are decoded by OpenCV instead."""
    if im.mode not in ("RGB", "RGBA"):
        return False
    if im.format == "PNG":
        with open(path, "rb") as f:
            header = f.read(25)
        return len(header) == 25 and header[24] == 16  # IHDR bit depth
    return _is_16bit_tiff(im)


def _is_16bit_tiff(im: Image.Image) -> bool:
    if im.format != "TIFF":
        return False
    bits = im.tag_v2.get(258)
    return bits is not None and max(bits if isinstance(bits, tuple) else (bits,)) == 16


# EXIF orientation -> the numpy operation that makes the image upright (as PIL's exif_transpose does).
_ORIENT = {
    2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1), 6: lambda a: np.rot90(a, 3), 7: lambda a: a.swapaxes(0, 1)[::-1, ::-1], 8: lambda a: np.rot90(a, 1),
}


def float_to_uint16(arr: np.ndarray, notes: list[str]) -> np.ndarray:
    """Floating-point pixels -> 16-bit. Float files carry no white level: 0-1 is the usual one, 0-255 and
    0-65535 occur, so the scale is read off the largest value and named in the notes."""
    finite = np.isfinite(arr)
    if not finite.all():
        notes.append(f"{plural(int((~finite).sum()), 'pixel')} not a number or infinite: set to 0")
        arr = np.where(finite, arr, 0.0)
    top = float(arr.max()) if arr.size else 0.0
    scale, name = (65535.0, "0-1") if top <= 1.0 else (257.0, "0-255") if top <= 255.0 else (1.0, "0-65535")
    notes.append(f"floating-point pixels read as {name}")
    return np.clip(np.round(arr.astype(np.float64) * scale), 0, 65535).astype(np.uint16)


def _tiff_directory(path: Path) -> tuple[int, int, int, int, bytes | None, int]:
    """Width, height, bits per sample, orientation, ICC profile and photometric interpretation (5: CMYK) from a TIFF's
    first directory (PIL's parser), read before anything is decoded (OpenCV turns the picture upright by its
    orientation, but drops its profile)."""
    from PIL import TiffImagePlugin

    try:
        with open(path, "rb") as f, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged directory warns before it fails
            ifd = TiffImagePlugin.ImageFileDirectory_v2(f.read(8))
            f.seek(ifd.next)
            ifd.load(f)
        icc, bits = ifd.get(34675), ifd.get(258, 1)
        bits = int(bits[0] if isinstance(bits, tuple) else bits)
        icc = bytes(icc) if isinstance(icc, (bytes, tuple)) and icc else None
        return int(ifd[256]), int(ifd[257]), bits, int(ifd.get(274, 1)), icc, int(ifd.get(262, -1))
    except Exception as exc:  # not a TIFF after all, or a damaged one
        raise ImageError("not an image, or a format that cannot be read") from exc


def _read_unopened_tiff(path: Path, notes: list[str], max_pixels: int) -> Decoded:
    """A TIFF PIL does not open: floating-point colour (OpenCV or tifffile) or CMYK with alpha (tifffile)."""
    w, h, bits, orientation, icc, photometric = _tiff_directory(path)
    if w * h > max_pixels:
        raise ImageError(f"image is {w}x{h} = {w * h} pixels, over the limit of {max_pixels}")
    if photometric == 5:
        try:
            return _read_cmyk_tiff(path, orientation, icc, notes)
        except NeedsCodec as exc:
            raise ImageError(f"CMYK TIFF with extra channels compressed as {exc}, which cannot be read here: save it "
                             "uncompressed or with ZIP, or `pip install imagecodecs`") from exc
        except Exception as exc:  # tifffile meets a damaged file with many kinds of exception (found by fuzzing)
            raise ImageError(f"corrupt CMYK TIFF ({type(exc).__name__}: {exc})") from exc
    if bits == 16:  # PIL reads 16-bit integer TIFFs, so this is half float, which OpenCV refuses (with a log line)
        arr = _half_float_tiff(path, orientation)
    else:
        arr = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
        if arr is not None and arr.ndim == 3 and arr.shape[2] in (3, 4):
            arr = arr[..., [2, 1, 0, 3][: arr.shape[2]]]  # OpenCV's BGR(A)
    if arr is None or arr.dtype.kind != "f" or not (arr.ndim == 2 or arr.ndim == 3 and arr.shape[2] in (3, 4)):
        raise ImageError("not an image, or a format that cannot be read")
    pixels = float_to_uint16(arr, notes)
    if pixels.ndim == 2:
        return Decoded(pixels, None, notes)
    rgb = np.ascontiguousarray(pixels[..., :3])
    if icc:  # a linear-light float file says so by its profile (a gamma 1.0 tone curve)
        rgb = to_srgb_16bit(rgb, icc, notes)
    return Decoded(rgb, np.ascontiguousarray(pixels[..., 3]) if pixels.shape[2] == 4 else None, notes)


def _half_float_tiff(path: Path, orientation: int) -> np.ndarray:
    """A half-float TIFF (16-bit floating point: Krita's, Affinity's and OpenEXR tools' exports), which OpenCV does not
    read, by tifffile, turned upright here."""
    try:
        arr, _ = first_page(path)
    except NeedsCodec as exc:
        raise ImageError(f"half-float TIFF compressed as {exc}, which cannot be read here: save it uncompressed, "
                         "with plain ZIP, or as 32-bit float, or `pip install imagecodecs`") from exc
    except Exception as exc:  # tifffile meets a damaged file with many kinds of exception
        raise ImageError(f"corrupt half-float TIFF ({type(exc).__name__}: {exc})") from exc
    return np.ascontiguousarray(_ORIENT.get(orientation, lambda a: a)(arr.astype(np.float32)))


def _read_16bit_colour(path: Path, orientation: int, icc: bytes | None, notes: list[str]) -> Decoded:
    arr = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_UNCHANGED)
    if arr is None or arr.dtype != np.uint16 or arr.ndim != 3:
        raise ImageError("corrupt or truncated 16-bit image")
    arr = np.ascontiguousarray(_ORIENT.get(orientation, lambda a: a)(arr))
    rgb = cv2.cvtColor(arr[..., :3], cv2.COLOR_BGR2RGB)
    if icc:
        rgb = to_srgb_16bit(rgb, icc, notes)
    alpha = np.ascontiguousarray(arr[..., 3]) if arr.shape[2] == 4 else None
    return Decoded(rgb, alpha, notes)


def _read_cmyk_tiff(path: Path, orientation: int, icc: bytes | None, notes: list[str]) -> Decoded:
    """A CMYK TIFF by tifffile, in sRGB at its own depth (NeedsCodec where its compression needs imagecodecs)."""
    cmyk, alpha = read_cmyk(path)
    if cmyk.dtype == np.uint8:  # CMYK with alpha: PIL's own conversions for the inks, as for any 8-bit CMYK
        im = Image.fromarray(cmyk, "CMYK")
        if icc:
            im.info["icc_profile"] = icc
        rgb = _to_arrays(to_srgb(im, notes), notes).pixels
    else:
        rgb = cmyk_to_srgb_16bit(cmyk, icc, notes) if icc else None
        if rgb is None:  # no profile, or one that cannot be used (said in the notes): PIL's formula, as at 8 bits
            notes.append("converted from CMYK")
            rgb = cmyk_to_rgb16(cmyk)
    upright = _ORIENT.get(orientation, lambda a: a)
    return Decoded(np.ascontiguousarray(upright(rgb)), None if alpha is None else np.ascontiguousarray(upright(alpha)), notes)


def _unsigned_32bit(im: Image.Image) -> bool:
    """A TIFF of unsigned 32-bit samples, which PIL reads as signed (mode I)."""
    return im.format == "TIFF" and im.mode == "I" and im.tag_v2.get(339, 1) in (1, (1,)) and im.tag_v2.get(258) in (32, (32,))


def _int32_to_uint16(arr: np.ndarray, unsigned: bool, notes: list[str]) -> np.ndarray:
    """32-bit integer gray in 16 bits: values up to 65535 as they are; larger ones shifted down to fit (a 32-bit
    camera or microscope file), with a note, rather than clipped to white."""
    if unsigned:
        arr = arr.view(np.uint32)
    if arr.size and arr.min() < 0:
        notes.append(f"{plural(int((arr < 0).sum()), 'negative pixel')} set to 0")
        arr = np.clip(arr, 0, None)
    top = int(arr.max()) if arr.size else 0
    if top <= 65535:
        return arr
    shift = top.bit_length() - 16
    notes.append(f"32-bit pixels (up to {top}) scaled to 16 bits: divided by {2**shift}")
    return arr.astype(np.uint32) >> shift


def _to_arrays(im: Image.Image, notes: list[str], unsigned: bool = False) -> Decoded:
    mode = im.mode
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(im)
        if mode == "I":  # 32-bit integer gray: a scientific TIFF, or a 16-bit PNG that arrives so
            arr = _int32_to_uint16(arr, unsigned, notes)
        return Decoded(arr.astype(np.uint16), None, notes)
    if mode == "F":
        return Decoded(float_to_uint16(np.asarray(im, dtype=np.float32), notes), None, notes)
    if mode == "1":
        im, mode = im.convert("L"), "L"
    if mode == "L":
        return Decoded(np.asarray(im), None, notes)
    if mode == "LA":
        arr = np.asarray(im)
        return Decoded(arr[..., 0].copy(), arr[..., 1].copy(), notes)
    if mode == "RGBA":
        arr = np.asarray(im)
        return Decoded(arr[..., :3].copy(), arr[..., 3].copy(), notes)
    if mode in ("RGB", "CMYK", "YCbCr", "LAB", "HSV"):
        if mode != "RGB":
            notes.append(f"converted from {mode}")
        return Decoded(np.asarray(im.convert("RGB")), None, notes)
    if mode in ("RGB;16", "RGBA;16"):
        raise ImageError(f"unsupported pixel mode {mode}")
    notes.append(f"converted from {mode}")
    return Decoded(np.asarray(im.convert("RGB")), None, notes)


def peak_value(dtype: np.dtype) -> float:
    """The white level of an integer pixel type: 65535 for 16-bit, 255 for 8-bit."""
    return 65535.0 if dtype == np.uint16 else 255.0


def to_uint8(pixels: np.ndarray) -> np.ndarray:
    """16-bit -> 8-bit by rounding; 8-bit passes through."""
    if pixels.dtype == np.uint8:
        return pixels
    return np.clip(np.round(pixels.astype(np.float32) / 257.0), 0, 255).astype(np.uint8)


def as_channels(decoded: Decoded, channels: int, background: int = 255) -> np.ndarray:
    """8-bit HWC array with 1 or 3 channels; transparent areas composited onto `background` (white)."""
    pix = to_uint8(decoded.pixels)
    if pix.ndim == 2:
        pix = pix[..., None]
    if decoded.alpha is not None:
        a = to_uint8(decoded.alpha)[..., None].astype(np.float32) / 255.0
        pix = np.round(pix.astype(np.float32) * a + background * (1 - a)).astype(np.uint8)
    if channels == 1 and pix.shape[2] == 3:
        pix = cv2.cvtColor(pix, cv2.COLOR_RGB2GRAY)[..., None]
    elif channels == 3 and pix.shape[2] == 1:
        pix = np.repeat(pix, 3, axis=2)
    return pix
