"""Fuzzed decoding (a short run; `benchmarks/fuzz_decode.py --minutes N` is the long one): real PNG, JPEG, TIFF,
WebP and GIF bytes, mutated by hypothesis (bytes flipped, cut, inserted, chunks repeated), must each end as a
decoded image or an ImageError with a reason, never another exception and never a hang."""

from __future__ import annotations

import io
from pathlib import Path
import signal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from gantools.files.imageio import Decoded, ImageError, read_image

FORMATS = {"png": "PNG", "jpg": "JPEG", "tif": "TIFF", "webp": "WEBP", "gif": "GIF"}


def seed_bytes(ext: str) -> bytes:
    rng = np.random.default_rng(len(ext))
    y, x = np.mgrid[0:24, 0:32]
    img = np.stack([x * 8, y * 10, (x + y) * 4], axis=2).astype(np.uint8) + rng.integers(0, 20, (24, 32, 3), dtype=np.uint8)
    buf = io.BytesIO()
    pil = Image.fromarray(img)
    (pil.convert("P") if ext == "gif" else pil).save(buf, format=FORMATS[ext])
    return buf.getvalue()


SEEDS = {ext: seed_bytes(ext) for ext in FORMATS}


@st.composite
def mutated(draw):
    ext = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[ext])
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "zero"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "cut":
            data = data[:at]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 64))] * draw(st.integers(1, 4))
        elif data:
            data[at : at + 4] = b"\xff\xff\xff\x7f"  # a large size field where a length sits
    return ext, bytes(data)


def _timeout(signum, frame):
    raise TimeoutError("decoding took over 10 s")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_mutated_images_decode_or_fail_with_a_reason(tmp_path, case):
    ext, data = case
    path = tmp_path / f"fuzz.{ext}"
    path.write_bytes(data)
    old = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(10)
    try:
        result = read_image(path, max_pixels=4_000_000)
        assert isinstance(result, Decoded) and result.pixels.size > 0
    except ImageError as exc:
        assert str(exc)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert path.read_bytes() == data  # never modified


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_the_seeds_themselves_decode(tmp_path, ext):
    path = tmp_path / f"seed.{ext}"
    path.write_bytes(SEEDS[ext])
    assert read_image(path).pixels.shape[:2] == (24, 32)


@pytest.mark.parametrize("name, reason", [
    ("tiff-missing-dimensions.tif", "TypeError: Missing dimensions"),
    ("gif-frame-count-index-error.gif", "IndexError"),
    ("tiff-offset-type-error.tif", "TypeError"),
    ("cmyk-alpha-bits-type-error.tif", "^corrupt CMYK TIFF \\(TypeError"),
    ("cmyk-alpha-missing-offset.tif", "^corrupt CMYK TIFF \\(TiffFileError: missing data offset"),
    ("cmyk-alpha-truncated-zip.tif", "^corrupt CMYK TIFF \\(error: Error -5"),
])
def test_inputs_the_long_fuzz_found_end_as_image_errors(name, reason):
    """Found by benchmarks/fuzz_decode.py (seed 0; the CMYK ones seed 3): Pillow raised TypeError/IndexError on these,
    and tifffile TypeError, TiffFileError and zlib.error on CMYK TIFFs with alpha, where an ImageError belongs."""
    with pytest.raises(ImageError, match=reason):
        read_image(Path(__file__).parent / "data" / "fuzz" / name)
