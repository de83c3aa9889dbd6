"""Long fuzzing of the image-reading path: mutated PNG/JPEG/TIFF/WebP/GIF/HEIC bytes through gantools' read_image.

Seeds include float colour TIFFs (read by OpenCV; one with a profile; two half-float ones, read by tifffile), a
32-bit integer TIFF, 16-bit CMYK TIFFs and CMYK TIFFs with alpha (tifffile), a PNG and a JPEG with an embedded colour profile (converted by LittleCMS) and the tests' HEIC
photo (pi-heif), so those paths are fuzzed too.
Three more kinds, `icc16`, `icc16lut` and `iccgray`, mutate an RGB profile (matrix/TRC, or built from lookup tables)
or a gray one itself and embed it whole in a valid 16-bit RGB or 8-bit gray PNG, for gantools' own matrix/TRC
reading and the 16-bit lattice through LittleCMS.

Each input must end as a decoded image or an ImageError with a reason; anything else (another exception, a
decode over 10 s, resident memory growing past the pixel limit's worth) is a failure, saved to --out with its
traceback. Prints inputs tried, inputs/s, outcomes, and the distinct failures (exception type + first words).

    python benchmarks/fuzz_decode.py --minutes 10 [--seed 0] [--out fuzz-failures/]
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import signal
import struct
import tempfile
import time
import traceback
import zlib
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from PIL.ImageCms import ImageCmsProfile, createProfile

from gantools.files.imageio import ImageError, read_image

FORMATS = {"png": "PNG", "jpg": "JPEG", "tif": "TIFF", "webp": "WEBP", "gif": "GIF"}
MAX_PIXELS = 4_000_000  # 4 MP: at most ~16 MB of pixels per decode


def seeds() -> dict[str, list[bytes]]:
    """Real encodings of a photo-like image in several modes and sizes per format."""
    out: dict[str, list[bytes]] = {ext: [] for ext in FORMATS}
    rng = np.random.default_rng(0)
    for h, w in ((24, 32), (61, 47)):
        y, x = np.mgrid[0:h, 0:w]
        rgb = (np.stack([x * 5, y * 4, (x + y) * 3], axis=2) % 256).astype(np.uint8) + rng.integers(0, 30, (h, w, 3), dtype=np.uint8)
        for mode in ("RGB", "L", "RGBA", "P"):
            img = Image.fromarray(rgb).convert(mode)
            for ext, fmt in FORMATS.items():
                if (fmt, mode) in (("JPEG", "RGBA"), ("JPEG", "P")):
                    continue
                buf = io.BytesIO()
                img.save(buf, format=fmt)
                out[ext].append(buf.getvalue())
        float_tiff = cv2.imencode(".tif", rgb.astype(np.float32) / 255)[1].tobytes()
        out["tif"].append(float_tiff)
        for ext, fmt in (("png", "PNG"), ("jpg", "JPEG")):
            buf = io.BytesIO()
            Image.fromarray(rgb).save(buf, format=fmt, icc_profile=ImageCmsProfile(createProfile("LAB")).tobytes())
            out[ext].append(buf.getvalue())
    out["heic"] = [(Path(__file__).resolve().parents[1] / "tests" / "data" / "quadrants.heic").read_bytes()]
    # LittleCMS's sRGB profile renamed, so it is converted rather than recognised and left alone; and made a gray one
    srgb = ImageCmsProfile(createProfile("sRGB")).tobytes().replace("sRGB".encode("utf-16-be"), "xRGB".encode("utf-16-be"))
    out["icc16"] = [srgb]
    out["icc16lut"] = [table_profile(srgb)]
    import tifffile  # a float TIFF with its profile in tag 34675 (OpenCV decodes it, PIL's parser finds the profile)

    buf = io.BytesIO()
    tifffile.imwrite(buf, rgb.astype(np.float32) / 255, photometric="rgb", extratags=[(34675, 7, len(srgb), srgb, True)])
    out["tif"].append(buf.getvalue())
    for kw in ({}, {"compression": "zlib"}):  # half float (tifffile) and 32-bit integer gray (PIL, scaled)
        buf = io.BytesIO()
        tifffile.imwrite(buf, rgb.astype(np.float16) / 255, photometric="rgb", **kw)
        out["tif"].append(buf.getvalue())
    buf = io.BytesIO()
    tifffile.imwrite(buf, rgb[..., 0].astype(np.uint32) << 20)
    out["tif"].append(buf.getvalue())
    inks = np.concatenate([255 - rgb, rgb[..., :2]], axis=2)  # four inks and, as a fifth channel, an alpha
    for pixels, kw in ((inks[..., :4].astype(np.uint16) * 257, {}), (inks[..., :4].astype(np.uint16) * 257, {"compression": "zlib"}),
                       (inks, {"extrasamples": ["unassalpha"]}), (inks.astype(np.uint16) * 257, {"extrasamples": ["unassalpha"]})):
        buf = io.BytesIO()
        tifffile.imwrite(buf, pixels, photometric="separated", **kw)
        out["tif"].append(buf.getvalue())
    out["iccgray"] = [srgb[:16] + b"GRAY" + srgb[20:].replace(b"rTRC", b"kTRC")]
    return out


def table_profile(matrix_profile: bytes) -> bytes:
    """`matrix_profile` (RGB to XYZ) given a lut16 A2B0 table to Lab on a grid of 3 per channel, Lab as PCS, so
    LittleCMS renders through the table."""
    from skimage.color import rgb2lab

    nodes = np.stack(np.meshgrid(*[np.linspace(0, 1, 3)] * 3, indexing="ij"), -1).reshape(1, -1, 3)
    lab = rgb2lab(nodes, illuminant="D50")[0]
    clut = np.round(np.stack([lab[:, 0] * 652.8, (lab[:, 1] + 128) * 256, (lab[:, 2] + 128) * 256], 1)).clip(0, 65535)
    ramp = struct.pack(">2H", 0, 65535)
    lut = (b"mft2" + b"\0" * 4 + bytes([3, 3, 3, 0]) + struct.pack(">9i", 65536, 0, 0, 0, 65536, 0, 0, 0, 65536)
           + struct.pack(">HH", 2, 2) + ramp * 3 + struct.pack(f">{clut.size}H", *clut.astype(int).ravel()) + ramp * 3)
    icc = bytearray(matrix_profile)
    icc[20:24] = b"Lab "
    (count,) = struct.unpack_from(">I", icc, 128)
    for k in range(count):
        if icc[132 + 12 * k : 136 + 12 * k] == b"rXYZ":
            struct.pack_into(">4sII", icc, 132 + 12 * k, b"A2B0", len(icc), len(lut))
    icc += lut
    struct.pack_into(">I", icc, 0, len(icc))
    return bytes(icc)


def png_with_profile(icc: bytes, gray: bool = False) -> bytes:
    """A valid PNG (OpenCV; 16-bit RGB, or 8-bit gray) carrying `icc` in an iCCP chunk after its IHDR."""
    rng = np.random.default_rng(1)
    pixels = (rng.random((16, 16)) * 255).astype(np.uint8) if gray else (rng.random((16, 16, 3)) * 65535).astype(np.uint16)
    png = cv2.imencode(".png", pixels)[1].tobytes()
    body = b"fuzz\0\0" + zlib.compress(icc)
    return png[:33] + struct.pack(">I", len(body)) + b"iCCP" + body + struct.pack(">I", zlib.crc32(b"iCCP" + body)) + png[33:]


def mutate(data: bytes, rnd: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        at = rnd.randrange(max(1, len(b)))
        kind = rnd.choice(("flip", "cut", "insert", "repeat", "big", "byte"))
        if kind == "flip" and b:
            b[at] ^= 1 << rnd.randrange(8)
        elif kind == "cut":
            b = b[:at]
        elif kind == "insert":
            b[at:at] = rnd.randbytes(rnd.randint(1, 32))
        elif kind == "repeat":
            b[at:at] = b[at : at + rnd.randint(1, 128)] * rnd.randint(1, 8)
        elif kind == "big" and b:
            b[at : at + 4] = rnd.choice((b"\xff\xff\xff\x7f", b"\x00\x00\xff\xff", b"\x7f\xff"))
        elif b:
            b[at] = rnd.randrange(256)
    return bytes(b)


def _timeout(signum, frame):
    raise TimeoutError("decode took over 10 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    args = parser.parse_args()
    rnd, corpus = random.Random(args.seed), seeds()
    outcomes, failures = Counter(), Counter()
    signal.signal(signal.SIGALRM, _timeout)
    start = time.perf_counter()
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        while time.perf_counter() - start < 60 * args.minutes:
            ext = rnd.choice(sorted(corpus))
            data = mutate(rnd.choice(corpus[ext]), rnd)
            if ext.startswith("icc"):
                data, ext = png_with_profile(data, gray=ext == "iccgray"), "png"
            path = Path(tmp) / f"input.{ext}"
            path.write_bytes(data)
            signal.alarm(10)
            try:
                read_image(path, max_pixels=MAX_PIXELS)
                outcomes["decoded"] += 1
            except ImageError:
                outcomes["ImageError"] += 1
            except Exception as exc:  # a failure of the contract: keep the input and say what happened
                key = f"{type(exc).__name__}: {' '.join(str(exc).split()[:6])}"
                failures[key] += 1
                outcomes["failure"] += 1
                if failures[key] == 1:
                    args.out.mkdir(parents=True, exist_ok=True)
                    name = f"failure_{len(failures):03d}.{ext}"
                    (args.out / name).write_bytes(data)
                    (args.out / f"{name}.txt").write_text(traceback.format_exc())
            finally:
                signal.alarm(0)
    seconds = time.perf_counter() - start
    total = sum(outcomes.values())
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_start) / 1024
    print(f"{total} inputs in {seconds:.0f} s ({total / seconds:.0f}/s): {dict(outcomes)}; peak RSS grew {grown:.0f} MiB")
    print(f"distinct failures: {len(failures)}" + "".join(f"\n  {n}x {k}" for k, n in failures.most_common()))


if __name__ == "__main__":
    main()
