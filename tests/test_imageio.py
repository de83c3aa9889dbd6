"""Reading what users have: every mode, EXIF rotation, and bad files that become clear reasons."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from PIL import Image, ImageCms

from gantools.files.imageio import ImageError, as_channels, read_image


def save(tmp_path, name, image, **kw):
    path = tmp_path / name
    image.save(path, **kw)
    return path


def test_modes(tmp_path):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 255, (6, 8, 3), dtype=np.uint8)
    assert read_image(save(tmp_path, "a.png", Image.fromarray(rgb))).pixels.shape == (6, 8, 3)
    gray = read_image(save(tmp_path, "g.png", Image.fromarray(rgb[..., 0])))
    assert gray.is_gray and gray.pixels.dtype == np.uint8
    deep = read_image(save(tmp_path, "d.png", Image.fromarray(np.full((4, 4), 40000, np.uint16))))
    assert deep.pixels.dtype == np.uint16 and deep.pixels.max() == 40000
    rgba = read_image(save(tmp_path, "t.png", Image.fromarray(np.dstack([rgb, np.full((6, 8), 7, np.uint8)]), "RGBA")))
    assert rgba.alpha is not None and rgba.alpha.max() == 7 and rgba.pixels.shape == (6, 8, 3)
    la = read_image(save(tmp_path, "la.png", Image.fromarray(rgb[..., :2].copy(), "LA")))
    assert la.is_gray and la.alpha is not None
    pal = read_image(save(tmp_path, "p.png", Image.fromarray(rgb).convert("P")))
    assert pal.pixels.shape == (6, 8, 3)
    cmyk = read_image(save(tmp_path, "c.jpg", Image.fromarray(rgb).convert("CMYK")))
    assert cmyk.pixels.shape == (6, 8, 3) and any("CMYK" in n for n in cmyk.notes)


def test_exif_rotation_is_applied(tmp_path):
    image = Image.fromarray(np.zeros((10, 20, 3), np.uint8))
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 clockwise to view"
    path = save(tmp_path, "r.jpg", image, exif=exif)
    assert read_image(path).pixels.shape[:2] == (20, 10)


def test_animated_gif_uses_first_frame(tmp_path):
    frames = [Image.new("RGB", (5, 5), (80 * i, 0, 0)) for i in range(3)]
    path = tmp_path / "a.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    decoded = read_image(path)
    assert any("first frame" in n for n in decoded.notes)


@pytest.mark.parametrize(
    "content, reason",
    [(b"", "0 bytes"), (b"plain text, not an image", "not an image")],
)
def test_bad_bytes(tmp_path, content, reason):
    path = tmp_path / "x.jpg"
    path.write_bytes(content)
    with pytest.raises(ImageError, match=reason):
        read_image(path)


def test_truncated_jpeg_and_bomb(tmp_path):
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buf, "JPEG")
    (tmp_path / "t.jpg").write_bytes(buf.getvalue()[:300])
    with pytest.raises(ImageError, match="corrupt or truncated"):
        read_image(tmp_path / "t.jpg")
    big = save(tmp_path, "big.png", Image.new("L", (300, 300)))
    with pytest.raises(ImageError, match="over the limit"):
        read_image(big, max_pixels=10_000)


def test_our_pixel_limit_decides_not_pils_lower_one(tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 20_000)  # PIL's own limit scaled down: 89 MP by default, under our 268 MP
    photo = save(tmp_path, "photo.png", Image.new("RGB", (250, 200)))  # 50,000 pixels: over PIL's limit, under ours
    assert read_image(photo).pixels.shape == (200, 250, 3)
    with pytest.raises(ImageError, match="^image is 250x200 = 50000 pixels, over the limit of 40000$"):
        read_image(photo, max_pixels=40_000)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # far over even PIL's hard stop (twice its limit)
    assert read_image(photo, max_pixels=20_000_000).pixels.shape == (200, 250, 3)  # ours is raised into PIL's
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(ImageError, match="decompression bomb: declares 50000 pixels, over the limit of 20000$"):
        read_image(photo, max_pixels=20_000)


def test_as_channels_composites_alpha_on_white():
    from gantools.files.imageio import Decoded

    decoded = Decoded(np.zeros((2, 2, 3), np.uint8), np.array([[0, 255], [255, 255]], np.uint8))
    out = as_channels(decoded, 3)
    assert out[0, 0].tolist() == [255, 255, 255] and out[1, 1].tolist() == [0, 0, 0]
    assert as_channels(decoded, 1).shape == (2, 2, 1)


def test_16bit_colour_png_and_tiff_keep_16_bits(tmp_path):
    import cv2

    rng = np.random.default_rng(3)
    rgba = (rng.random((5, 7, 4)) * 65535).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "c.png"), rgba)  # OpenCV writes BGRA
    cv2.imwrite(str(tmp_path / "c.tif"), rgba[..., :3])
    png = read_image(tmp_path / "c.png")
    assert png.pixels.dtype == np.uint16 and np.array_equal(png.pixels, rgba[..., 2::-1]) and np.array_equal(png.alpha, rgba[..., 3])
    tif = read_image(tmp_path / "c.tif")
    assert tif.pixels.dtype == np.uint16 and np.array_equal(tif.pixels, rgba[..., 2::-1])


def test_floating_point_tiffs_are_read_at_their_own_scale(tmp_path):
    import cv2

    rng = np.random.default_rng(4)
    unit = rng.random((6, 9, 3)).astype(np.float32)  # 0-1, the usual float white level
    unit[0, 0, 0] = np.nan
    cv2.imwrite(str(tmp_path / "rgb.tif"), unit)  # PIL cannot open this one; OpenCV reads it
    Image.fromarray(unit[..., 1], "F").save(tmp_path / "gray.tif")
    Image.fromarray(unit[..., 1] * 255, "F").save(tmp_path / "gray255.tif")
    rgb, gray, gray255 = (read_image(tmp_path / n) for n in ("rgb.tif", "gray.tif", "gray255.tif"))
    expected = np.round(unit[1:, 1:, ::-1].astype(np.float64) * 65535)
    assert rgb.pixels.dtype == np.uint16 and np.array_equal(rgb.pixels[1:, 1:], expected)
    assert rgb.pixels[0, 0, 2] == 0 and "1 pixel not a number or infinite: set to 0" in rgb.notes
    assert np.array_equal(gray.pixels[1:, 1:], np.round(unit[1:, 1:, 1].astype(np.float64) * 65535))
    assert "floating-point pixels read as 0-1" in gray.notes and "floating-point pixels read as 0-255" in gray255.notes
    assert abs(int(gray255.pixels[2, 2]) - int(gray.pixels[2, 2])) <= 257
    with pytest.raises(ImageError, match="^image is 9x6 = 54 pixels, over the limit of 50$"):  # checked before OpenCV decodes
        read_image(tmp_path / "rgb.tif", max_pixels=50)
    (tmp_path / "fake.tif").write_bytes(b"II*\0" + b"\xff" * 40)
    with pytest.raises(ImageError, match="not an image"):
        read_image(tmp_path / "fake.tif")


def test_half_float_tiffs_are_read(tmp_path):
    import tifffile

    rng = np.random.default_rng(8)
    half = rng.random((4, 6, 3)).astype(np.float16)  # OpenCV refuses 16-bit float TIFF; tifffile reads it
    expected = np.round(half.astype(np.float64) * 65535)
    tifffile.imwrite(tmp_path / "plain.tif", half, photometric="rgb")
    tifffile.imwrite(tmp_path / "zip.tif", half, photometric="rgb", compression="zlib")
    tifffile.imwrite(tmp_path / "planes.tif", np.moveaxis(half, -1, 0), photometric="rgb", planarconfig="separate")
    tifffile.imwrite(tmp_path / "turned.tif", half, photometric="rgb", extratags=[(274, 3, 1, 6, True)])
    tifffile.imwrite(tmp_path / "gray.tif", half[..., 0], photometric="minisblack")
    for name in ("plain.tif", "zip.tif", "planes.tif"):
        got = read_image(tmp_path / name)
        assert np.array_equal(got.pixels, expected) and got.notes == ["floating-point pixels read as 0-1"], name
    assert np.array_equal(read_image(tmp_path / "turned.tif").pixels, np.rot90(expected, 3))  # upright
    gray = read_image(tmp_path / "gray.tif")
    assert gray.is_gray and np.array_equal(gray.pixels, expected[..., 0])
    lzw = bytearray((tmp_path / "plain.tif").read_bytes())  # tifffile writes LZW only with imagecodecs: patch the tag
    directory = struct.unpack_from("<I", lzw, 4)[0]
    for k in range(struct.unpack_from("<H", lzw, directory)[0]):
        if struct.unpack_from("<H", lzw, directory + 2 + 12 * k)[0] == 259:
            struct.pack_into("<H", lzw, directory + 2 + 12 * k + 8, 5)
    (tmp_path / "lzw.tif").write_bytes(bytes(lzw))
    with pytest.raises(ImageError, match="^half-float TIFF compressed as LZW, which cannot be read here: save it uncompressed.*imagecodecs"):
        read_image(tmp_path / "lzw.tif")
    (tmp_path / "cut.tif").write_bytes((tmp_path / "plain.tif").read_bytes()[:-60])
    with pytest.raises(ImageError):
        read_image(tmp_path / "cut.tif")


def test_32bit_integer_tiffs_are_scaled_not_clipped(tmp_path):
    import tifffile

    big = np.array([[0, 70000, 4_000_000_000]], np.uint32)  # unsigned: PIL reads it as signed
    tifffile.imwrite(tmp_path / "u32.tif", big)
    got = read_image(tmp_path / "u32.tif")
    assert got.pixels.tolist() == [[0, 70000 >> 16, 4_000_000_000 >> 16]]
    assert got.notes == ["32-bit pixels (up to 4000000000) scaled to 16 bits: divided by 65536"]
    tifffile.imwrite(tmp_path / "i32.tif", np.array([[-5, 100, 65535]], np.int32))
    small = read_image(tmp_path / "i32.tif")  # within 16 bits: kept as they are, negatives to 0 with a note
    assert small.pixels.tolist() == [[0, 100, 65535]] and small.notes == ["1 negative pixel set to 0"]


@pytest.mark.parametrize("orientation", range(1, 9))
def test_deep_tiffs_are_turned_upright_once(tmp_path, orientation):
    import tifffile
    from PIL import ImageOps

    rng = np.random.default_rng(orientation)
    deep = rng.integers(0, 65536, (4, 6, 3), dtype=np.uint16)  # OpenCV's TIFF decoder applies tag 274 itself
    tag = [(274, 3, 1, orientation, True)]
    tifffile.imwrite(tmp_path / "deep.tif", deep, photometric="rgb", extratags=tag)
    tifffile.imwrite(tmp_path / "float.tif", deep.astype(np.float32) / 65535, photometric="rgb", extratags=tag)
    tifffile.imwrite(tmp_path / "eight.tif", (deep // 257).astype(np.uint8), photometric="rgb", extratags=tag)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(tmp_path / "eight.tif")))  # PIL's reading of the 8-bit one
    assert np.array_equal(read_image(tmp_path / "eight.tif").pixels, upright)
    assert np.array_equal(read_image(tmp_path / "deep.tif").pixels // 257, upright)
    assert np.array_equal(read_image(tmp_path / "float.tif").pixels // 257, upright)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_16bit_path_turns_images_upright_like_pil(orientation):
    from PIL import ImageOps

    from gantools.files.imageio import _ORIENT

    img = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    pil = Image.fromarray(img)
    exif = pil.getexif()
    exif[0x0112] = orientation
    pil.info["exif"] = exif.tobytes()
    expected = np.asarray(ImageOps.exif_transpose(pil))
    assert np.array_equal(_ORIENT.get(orientation, lambda a: a)(img), expected)


# No ICC file ships with the packages here, so the test writes a Display P3 profile itself (ICC v2, matrix + gamma).
def s15(x):
    return struct.pack(">i", round(x * 65536))


def xyz_tag(x, y, z):
    return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)


def retag(icc, old, new, data=None):
    """`icc` with its tag `old` listed as `new`, pointing at `data` appended at the end (or still at its own data)."""
    icc = bytearray(icc)
    for k in range(struct.unpack_from(">I", icc, 128)[0]):
        at = 132 + 12 * k
        if icc[at : at + 4] == old:
            icc[at : at + 4] = new
            if data is not None:
                struct.pack_into(">II", icc, at + 4, len(icc), len(data))
                icc += data + b"\0" * (-len(data) % 4)
                struct.pack_into(">I", icc, 0, len(icc))
    return bytes(icc)


def icc_profile(name, red, green, blue, gamma=2.2):
    """A minimal ICC v2 display profile: three colorants (D50 XYZ) and one gamma per channel."""
    desc = name.encode("ascii") + b"\0"
    tags = {b"desc": b"desc" + b"\0" * 4 + struct.pack(">I", len(desc)) + desc + b"\0" * 8 + b"\0" * 3 + b"\0" * 67,
            b"cprt": b"text" + b"\0" * 4 + b"none\0",
            b"wtpt": xyz_tag(0.9642, 1.0, 0.8249),
            b"rXYZ": xyz_tag(*red), b"gXYZ": xyz_tag(*green), b"bXYZ": xyz_tag(*blue)}
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"
    tags.update({b"rTRC": curve, b"gTRC": curve, b"bTRC": curve})
    table, body, offset = b"", b"", 128 + 4 + 12 * len(tags)
    for sig, data in tags.items():
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ " + b"\0" * 12 + b"acsp"
              + b"\0" * 24 + struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48)
    assert len(header) == 128, len(header)
    return header + struct.pack(">I", len(tags)) + table + body



P3 = icc_profile("Display P3 (test)", (0.5151, 0.2412, -0.0011), (0.2920, 0.6922, 0.0419), (0.1571, 0.0666, 0.7841))


def test_embedded_colour_profiles_are_converted_to_srgb(tmp_path):
    pixels = np.array([[[150, 100, 100], [128, 128, 128], [40, 160, 60]]], np.uint8)
    Image.fromarray(pixels).save(tmp_path / "p3.png", icc_profile=P3)  # as a phone saves Display P3
    Image.fromarray(np.dstack([pixels, np.full((1, 3), 77, np.uint8)]), "RGBA").save(tmp_path / "p3a.png", icc_profile=P3)
    Image.fromarray(pixels).save(tmp_path / "srgb.png", icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    Image.fromarray(pixels).save(tmp_path / "broken.png", icc_profile=b"not a profile" * 10)
    p3, p3a, srgb, broken = (read_image(tmp_path / n) for n in ("p3.png", "p3a.png", "srgb.png", "broken.png"))
    # P3 is wider than sRGB: the same colour needs numbers further apart in sRGB; gray stays gray
    spread = lambda a: int(a.max()) - int(a.min())  # noqa: E731
    assert spread(p3.pixels[0, 0]) > spread(pixels[0, 0]) + 5 and spread(p3.pixels[0, 2]) > spread(pixels[0, 2]) + 5
    assert spread(p3.pixels[0, 1]) == 0 and abs(int(p3.pixels[0, 1, 0]) - 128) <= 2
    assert p3.notes == ["colours converted to sRGB from the embedded profile 'Display P3 (test)'"]
    assert np.array_equal(p3a.pixels, p3.pixels) and p3a.alpha.tolist() == [[77, 77, 77]]
    assert np.array_equal(srgb.pixels, pixels) and srgb.notes == []  # already the models' space: untouched
    assert np.array_equal(broken.pixels, pixels) and broken.notes[0].startswith("embedded colour profile unreadable, ignored")
    import gantools.api as api

    with Image.open(tmp_path / "p3.png") as im:  # the Python API converts a PIL image with a profile the same way
        assert np.array_equal(api._decode(im, 10**6).pixels, p3.pixels)


def png16_with_profile(path, rgb16, icc):
    """A 16-bit RGB PNG with an iCCP chunk (OpenCV writes 16-bit PNG but no profile; Pillow neither writes 16-bit RGB)."""
    import zlib

    import cv2

    cv2.imwrite(str(path), rgb16[..., ::-1])
    data = path.read_bytes()
    body = b"test\0\0" + zlib.compress(icc)
    chunk = struct.pack(">I", len(body)) + b"iCCP" + body + struct.pack(">I", zlib.crc32(b"iCCP" + body))
    path.write_bytes(data[:33] + chunk + data[33:])  # after the 8-byte signature and the 25-byte IHDR chunk


def para_profile(name, red, green, blue):
    """`icc_profile` with sRGB's tone curve written as a parametric curve (type 3, as Apple's Display P3 has)."""
    icc = icc_profile(name, red, green, blue)
    curve = b"para" + b"\0" * 4 + struct.pack(">HH", 3, 0) + s15(2.4) + s15(1 / 1.055) + s15(0.055 / 1.055) + s15(1 / 12.92) + s15(0.04045)
    for sig in (b"rTRC", b"gTRC", b"bTRC"):  # longer than the gamma curve it replaces: written at the end instead
        icc = retag(icc, sig, sig, curve)
    return icc


def test_16bit_colour_with_a_profile_is_converted_at_16_bits(tmp_path):
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, (6, 9, 3), dtype=np.uint8)
    wide = {"gamma": P3, "parametric": para_profile("Display P3 para (test)", (0.5151, 0.2412, -0.0011), (0.2920, 0.6922, 0.0419), (0.1571, 0.0666, 0.7841))}
    for kind, icc in wide.items():
        png16_with_profile(tmp_path / f"{kind}.png", pixels.astype(np.uint16) * 257, icc)
        got = read_image(tmp_path / f"{kind}.png")
        # LittleCMS on the same colours at 8 bits is the reference: within one 8-bit level (its own rounding)
        lcms = ImageCms.profileToProfile(Image.fromarray(pixels), ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                         ImageCms.createProfile("sRGB"), outputMode="RGB")
        assert got.pixels.dtype == np.uint16, kind
        assert np.abs(got.pixels / 257.0 - np.asarray(lcms)).max() <= 1.0, kind
        assert got.notes == [f"colours converted to sRGB from the embedded profile '{ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip()}'"]
    # 16-bit precision is kept: a smooth 16-bit ramp stays smooth (8-bit LittleCMS would leave steps of 257)
    ramp = np.repeat(np.linspace(20000, 21000, 64).astype(np.uint16)[None, :, None], 3, 2)
    png16_with_profile(tmp_path / "ramp.png", ramp, P3)
    assert np.abs(np.diff(read_image(tmp_path / "ramp.png").pixels[0, :, 0].astype(int))).max() < 40
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    png16_with_profile(tmp_path / "srgb.png", pixels.astype(np.uint16) * 257, srgb)
    kept = read_image(tmp_path / "srgb.png")
    assert np.array_equal(kept.pixels, pixels.astype(np.uint16) * 257) and kept.notes == []
    cmyk = cmyk_profile("Print CMYK (test)")  # a valid profile of another colour space: not applied to RGB
    png16_with_profile(tmp_path / "cmyk.png", pixels.astype(np.uint16) * 257, cmyk)
    as_is = read_image(tmp_path / "cmyk.png")
    assert np.array_equal(as_is.pixels, pixels.astype(np.uint16) * 257)
    assert as_is.notes == ["embedded colour profile not applied to 16-bit colour (a 'CMYK' profile, not RGB to XYZ): read as sRGB"]
    png16_with_profile(tmp_path / "broken.png", pixels.astype(np.uint16) * 257, b"not a profile" * 10)
    broken = read_image(tmp_path / "broken.png")
    assert np.array_equal(broken.pixels, pixels.astype(np.uint16) * 257) and broken.notes[0].startswith("embedded colour profile unreadable, ignored")


SRGB_D50 = ((0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141))  # sRGB's colorants


def srgb_encode(y):
    return np.where(y <= 0.0031308, 12.92 * y, 1.055 * np.clip(y, 0, None) ** (1 / 2.4) - 0.055)


def test_a_profile_named_srgb_is_checked_by_its_content(tmp_path):
    linear = icc_profile("GIMP built-in Linear sRGB (test)", *SRGB_D50, gamma=1.0)  # as GIMP saves 16-bit and float work
    ramp = np.repeat(np.arange(0, 65536, 4369, dtype=np.uint16)[None, :, None], 3, 2)
    png16_with_profile(tmp_path / "linear.png", ramp, linear)
    got = read_image(tmp_path / "linear.png")
    assert got.notes == ["colours converted to sRGB from the embedded profile 'GIMP built-in Linear sRGB (test)'"]
    assert np.abs(got.pixels[0, :, 1] - 65535 * srgb_encode(ramp[0, :, 1] / 65535)).max() < 300  # linear light encoded
    Image.fromarray((ramp[..., :] // 257).astype(np.uint8)).save(tmp_path / "linear8.png", icc_profile=linear)
    assert read_image(tmp_path / "linear8.png").pixels[0, 3, 0] > 3 * 17 + 40  # 8 bits too: a linear 20% is a light gray
    for name, gamma in (("sRGB IEC61966-2.1 (test)", 2.2), ("sRGB (test)", 2.4)):
        near = icc_profile(name, *SRGB_D50, gamma=gamma)  # close enough to sRGB's curve: left as it is
        png16_with_profile(tmp_path / "near.png", ramp, near)
        kept = read_image(tmp_path / "near.png")
        assert (gamma == 2.2) == (kept.notes == []) and (gamma == 2.2) == np.array_equal(kept.pixels, ramp), name


def test_floating_point_tiffs_keep_their_profile(tmp_path):
    import tifffile

    rng = np.random.default_rng(7)
    linear = rng.random((4, 6, 3)).astype(np.float32)  # linear light, as a raw developer or GIMP writes float TIFF
    icc = icc_profile("Linear Rec709 (test)", *SRGB_D50, gamma=1.0)
    tifffile.imwrite(tmp_path / "lin.tif", linear, photometric="rgb", extratags=[(34675, 7, len(icc), icc, True)])
    got = read_image(tmp_path / "lin.tif")
    expected = 65535 * srgb_encode(linear.astype(np.float64))
    assert np.abs(got.pixels - expected).max() < 300
    assert got.notes == ["floating-point pixels read as 0-1", "colours converted to sRGB from the embedded profile 'Linear Rec709 (test)'"]


def test_parametric_tone_curves_of_every_type():
    from gantools.files.icc_matrix import _curve

    x = np.arange(65536) / 65535.0
    para = lambda kind, *p: _curve(b"para" + b"\0" * 4 + struct.pack(">HH", kind, 0) + b"".join(s15(v) for v in p))  # noqa: E731
    g, a, b, c, d, e, f = 2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045, 0.01, 0.02
    # (s15Fixed16 rounds each parameter to 1/65536, hence the tolerance)
    assert np.allclose(para(0, g), x**g, atol=1e-4)
    assert np.allclose(para(1, g, a, b), np.where(x >= -b / a, (a * x + b) ** g, 0), atol=1e-4)
    assert np.allclose(para(2, g, a, -b, c), np.where(x >= b / a, np.clip(a * x - b, 0, None) ** g + c, c).clip(0, 1), atol=1e-4)
    assert np.allclose(para(3, g, a, b, c, d), np.where(x >= d, (a * x + b) ** g, c * x), atol=1e-4)
    assert np.allclose(para(4, g, a, b, c, d, e, f), np.where(x >= d, (a * x + b) ** g + e, c * x + f).clip(0, 1), atol=1e-4)


def rgb_table_profile(name, grid=9):
    """An ICC v2 input (scanner) profile built from lookup tables: a lut16 A2B0 from RGB to Lab on a grid of `grid` per
    channel, sampled from the test's Display P3 (gamma 2.2, P3 colorants); no colorants or tone curves of its own."""
    from skimage.color import xyz2lab

    matrix = np.array([(0.5151, 0.2412, -0.0011), (0.2920, 0.6922, 0.0419), (0.1571, 0.0666, 0.7841)]).T
    nodes = np.stack(np.meshgrid(*[np.linspace(0, 1, grid)] * 3, indexing="ij"), -1).reshape(-1, 3)  # red slowest
    lab = xyz2lab((nodes**2.2 @ matrix.T)[None], illuminant="D50")[0]
    encoded = np.round(np.stack([lab[:, 0] * 652.8, (lab[:, 1] + 128) * 256, (lab[:, 2] + 128) * 256], 1)).clip(0, 65535)
    ramp = struct.pack(">2H", 0, 65535)
    lut = (b"mft2" + b"\0" * 4 + bytes([3, 3, grid, 0]) + b"".join(s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
           + struct.pack(">HH", 2, 2) + ramp * 3 + struct.pack(f">{encoded.size}H", *encoded.astype(int).ravel()) + ramp * 3)
    icc = bytearray(icc_profile(name, (0.4, 0.2, 0.0), (0.4, 0.7, 0.1), (0.1, 0.1, 0.7)))  # its desc, wtpt and header
    icc[12:24] = b"scnrRGB Lab "  # an input (scanner) profile: RGB to Lab
    icc = retag(icc, b"rXYZ", b"A2B0", lut)
    for k, sig in enumerate((b"gXYZ", b"bXYZ", b"rTRC", b"gTRC", b"bTRC")):  # no colorants or curves left to read
        icc = retag(icc, sig, b"zzz" + bytes([48 + k]))
    return icc


def test_16bit_colour_with_a_table_based_profile_goes_through_littlecms(tmp_path):
    from gantools.files.icc_matrix import matrix_shaper

    rng = np.random.default_rng(6)
    pixels = rng.integers(0, 256, (6, 9, 3), dtype=np.uint8)
    icc = rgb_table_profile("Scanner RGB (test)")
    with pytest.raises(ValueError, match="lookup tables|not RGB to XYZ"):  # no matrix/TRC to read: tables only
        matrix_shaper(icc)
    png16_with_profile(tmp_path / "scan.png", pixels.astype(np.uint16) * 257, icc)
    got = read_image(tmp_path / "scan.png")
    lcms = np.asarray(ImageCms.profileToProfile(Image.fromarray(pixels), ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                                ImageCms.createProfile("sRGB"), outputMode="RGB"))
    assert got.pixels.dtype == np.uint16 and got.notes == ["colours converted to sRGB from the embedded profile 'Scanner RGB (test)'"]
    assert np.abs(got.pixels / 257.0 - lcms).max() <= 1.0  # as LittleCMS at 8 bits, within its rounding
    assert np.abs(got.pixels / 257.0 - pixels).max() > 10  # and not read as sRGB: P3 colours are further apart in sRGB
    ramp = np.repeat(np.linspace(20000, 21000, 64).astype(np.uint16)[None, :, None], 3, 2)  # 16-bit steps kept
    png16_with_profile(tmp_path / "ramp.png", ramp, icc)
    steps = np.diff(read_image(tmp_path / "ramp.png").pixels[0].astype(int), axis=0)
    assert steps.min() >= 0 and steps.max() < 60 and len(np.unique(read_image(tmp_path / "ramp.png").pixels[0, :, 0])) > 40


INKS = {"C": (0, 158, 224), "M": (236, 0, 140), "Y": (255, 237, 0), "K": (35, 31, 32)}  # sRGB of printing inks, roughly


def cmyk_profile(name):
    """A minimal ICC v2 CMYK output profile: a lut8 A2B0 to Lab on a grid of 2 per ink, the inks multiplied as filters."""
    from skimage.color import rgb2lab

    clut = b""
    for corner in np.ndindex(2, 2, 2, 2):  # the first ink varies slowest, as the ICC grid is laid out
        rgb = np.prod([np.array(INKS[ink]) / 255.0 for ink, on in zip("CMYK", corner) if on] or [np.ones(3)], axis=0)
        L, a, b = rgb2lab(rgb[None, None], illuminant="D50")[0, 0]
        clut += bytes([round(L * 2.55), round(a) + 128, round(b) + 128])
    ramp = bytes(range(256))
    lut = b"mft1" + b"\0" * 4 + bytes([4, 3, 2, 0]) + b"".join(s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1)) + ramp * 4 + clut + ramp * 3
    icc = bytearray(icc_profile(name, (0.4, 0.2, 0.0), (0.4, 0.7, 0.1), (0.1, 0.1, 0.7)))  # its desc, wtpt and header
    icc[12:24] = b"prtrCMYKLab "  # an output (printer) profile: CMYK to Lab
    return retag(icc, b"rXYZ", b"A2B0", lut)  # one RGB tag's entry becomes the table


def test_cmyk_with_a_print_profile_is_converted_through_it(tmp_path):
    inks = np.array([[[255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 255, 0], [0, 0, 0, 255], [0, 0, 0, 0]]], np.uint8)
    Image.fromarray(inks, "CMYK").save(tmp_path / "print.tif", icc_profile=cmyk_profile("Print CMYK (test)"))
    Image.fromarray(inks, "CMYK").save(tmp_path / "bare.tif")
    printed, bare = read_image(tmp_path / "print.tif"), read_image(tmp_path / "bare.tif")
    assert printed.notes == ["colours converted to sRGB from the embedded profile 'Print CMYK (test)'"]
    for got, ink in zip(printed.pixels[0], "CMYK"):  # each ink as the profile says it prints (its D50 white aside)
        assert np.abs(got.astype(int) - INKS[ink]).max() <= 55, (ink, got)
    assert printed.pixels[0, 0, 1] < 200 and printed.pixels[0, 3].min() > 20  # a printed cyan, a printed black
    assert printed.pixels[0, 4].min() >= 250  # no ink: paper white
    # without a profile, PIL's formula: inks as pure primaries (cyan 0, 255, 255), black as 0, 0, 0
    assert bare.pixels[0, 0].tolist() == [0, 255, 255] and bare.notes == ["converted from CMYK"]


def tiff_lzw(data: bytes) -> bytes:
    """`data` as a TIFF LZW stream of literal codes only (9 bits each, the table cleared before it needs 10): valid for
    every decoder, so a test can write LZW without imagecodecs."""
    codes = []
    for start in range(0, len(data), 250):
        codes += [256, *data[start : start + 250]]  # Clear, then literals
    bits = "".join(f"{code:09b}" for code in codes + [257])  # ... End of Information
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def as_lzw(path, out):
    """The single-strip uncompressed TIFF `path` rewritten to `out` with its strip LZW-compressed (tags 259, 273, 279)."""
    tif = bytearray(path.read_bytes())
    directory = struct.unpack_from("<I", tif, 4)[0]
    entries = {struct.unpack_from("<H", tif, directory + 2 + 12 * k)[0]: directory + 2 + 12 * k
               for k in range(struct.unpack_from("<H", tif, directory)[0])}
    kind = {3: "<H", 4: "<I"}
    read = lambda tag: struct.unpack_from(kind[struct.unpack_from("<H", tif, entries[tag] + 2)[0]], tif, entries[tag] + 8)[0]  # noqa: E731
    strip = tiff_lzw(bytes(tif[read(273) : read(273) + read(279)]))
    for tag, value in ((259, 5), (273, len(tif)), (279, len(strip))):
        struct.pack_into(kind[struct.unpack_from("<H", tif, entries[tag] + 2)[0]], tif, entries[tag] + 8, value)
    out.write_bytes(bytes(tif) + strip)
    return out


def test_16bit_cmyk_tiffs_keep_16_bits(tmp_path):
    import tifffile

    from gantools.files.cmyk_tiff import cmyk_to_rgb16

    rng = np.random.default_rng(9)
    inks = rng.integers(0, 256, (6, 9, 4), dtype=np.uint8)
    tifffile.imwrite(tmp_path / "plain.tif", inks.astype(np.uint16) * 257, photometric="separated")
    tifffile.imwrite(tmp_path / "planes.tif", np.moveaxis(inks, -1, 0).astype(np.uint16) * 257, photometric="separated",
                     planarconfig="separate")
    tifffile.imwrite(tmp_path / "turned.tif", inks.astype(np.uint16) * 257, photometric="separated", extratags=[(274, 3, 1, 6, True)])
    pil8 = np.asarray(Image.fromarray(inks, "CMYK").convert("RGB")).astype(float)  # PIL's formula at 8 bits
    got = read_image(tmp_path / "plain.tif")
    assert got.pixels.dtype == np.uint16 and got.notes == ["converted from CMYK"] and got.alpha is None
    assert np.abs(got.pixels / 257.0 - pil8).max() <= 0.5
    wide = inks.astype(np.float64) * 257
    assert np.array_equal(got.pixels, np.round((65535 - wide[..., :3]) * (65535 - wide[..., 3:]) / 65535))  # rounded, not cut
    assert np.array_equal(read_image(tmp_path / "planes.tif").pixels, got.pixels)
    assert np.array_equal(read_image(tmp_path / "turned.tif").pixels, np.rot90(got.pixels, 3))  # upright
    ramp = np.zeros((1, 64, 4), np.uint16)
    ramp[0, :, 0] = np.linspace(20000, 21000, 64)  # a cyan gradient finer than 8-bit steps
    tifffile.imwrite(tmp_path / "ramp.tif", ramp, photometric="separated")
    assert len(np.unique(read_image(tmp_path / "ramp.tif").pixels[0, :, 0])) > 40  # 8 bits would give 5 values
    assert np.array_equal(cmyk_to_rgb16(np.array([[[65535, 0, 0, 0], [0, 0, 0, 65535], [0, 0, 0, 0]]])),
                          [[[0, 65535, 65535], [0, 0, 0], [65535, 65535, 65535]]])
    # compressed as LZW, which tifffile reads only with imagecodecs: PIL reads it at 8 bits, and the note says so
    lzw = read_image(as_lzw(tmp_path / "plain.tif", tmp_path / "lzw.tif"))
    assert lzw.pixels.dtype == np.uint8 and np.abs(lzw.pixels - pil8).max() <= 1
    assert lzw.notes == ["16-bit CMYK compressed as LZW: read at 8 bits (`pip install imagecodecs` reads it at 16)", "converted from CMYK"]


def test_16bit_cmyk_with_a_print_profile_goes_through_littlecms(tmp_path):
    import tifffile

    icc = cmyk_profile("Print CMYK (test)")
    rng = np.random.default_rng(10)
    inks = rng.integers(0, 256, (20, 30, 4), dtype=np.uint8)
    inks[0, :5] = [[255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 255, 0], [0, 0, 0, 255], [0, 0, 0, 0]]
    tifffile.imwrite(tmp_path / "print.tif", inks.astype(np.uint16) * 257, photometric="separated",
                     extratags=[(34675, 7, len(icc), icc, True)])
    got = read_image(tmp_path / "print.tif")
    lcms = np.asarray(ImageCms.profileToProfile(Image.fromarray(inks, "CMYK"), ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                                ImageCms.createProfile("sRGB"), outputMode="RGB")).astype(float)
    assert got.pixels.dtype == np.uint16 and got.notes == ["colours converted to sRGB from the embedded profile 'Print CMYK (test)'"]
    # LittleCMS at 8 bits is the reference: a lattice of every fifth ink level, interpolated, stays within 3 levels
    assert np.abs(got.pixels / 257.0 - lcms).max() <= 3 and np.abs(got.pixels / 257.0 - lcms).mean() < 0.5
    assert np.abs(got.pixels[0, :5] / 257.0 - lcms[0, :5]).max() <= 0.5  # lattice colours: LittleCMS's own
    ramp = np.zeros((1, 64, 4), np.uint16)
    ramp[0, :, 0] = np.linspace(20000, 21000, 64)
    tifffile.imwrite(tmp_path / "ramp.tif", ramp, photometric="separated", extratags=[(34675, 7, len(icc), icc, True)])
    steps = np.diff(read_image(tmp_path / "ramp.tif").pixels[0].astype(int), axis=0)
    assert len(np.unique(read_image(tmp_path / "ramp.tif").pixels[0, :, 0])) > 20 and np.abs(steps).max() < 60
    tifffile.imwrite(tmp_path / "broken.tif", inks.astype(np.uint16) * 257, photometric="separated",
                     extratags=[(34675, 7, 130, b"not a profile" * 10, True)])
    broken = read_image(tmp_path / "broken.tif")  # an unreadable profile: said, and PIL's formula instead
    assert broken.notes[0].startswith("embedded colour profile unreadable, ignored") and broken.notes[1] == "converted from CMYK"


@pytest.mark.parametrize("depth", [8, 16])
def test_cmyk_tiffs_with_alpha_are_read(tmp_path, depth):
    import tifffile

    rng = np.random.default_rng(11)
    dtype = np.uint8 if depth == 8 else np.uint16
    pixels = (rng.integers(0, 256, (6, 9, 5)) * (1 if depth == 8 else 257)).astype(dtype)
    tifffile.imwrite(tmp_path / "a.tif", pixels, photometric="separated", extrasamples=["unassalpha"])
    tifffile.imwrite(tmp_path / "turned.tif", pixels, photometric="separated", extrasamples=["unassalpha"],
                     extratags=[(274, 3, 1, 8, True)])
    got = read_image(tmp_path / "a.tif")  # PIL does not open CMYK with an extra channel at all
    pil8 = np.asarray(Image.fromarray((pixels[..., :4] // (1 if depth == 8 else 257)).astype(np.uint8), "CMYK").convert("RGB"))
    assert got.pixels.dtype == dtype and got.notes == ["converted from CMYK"]
    assert np.abs(got.pixels / (1.0 if depth == 8 else 257.0) - pil8).max() <= 0.5
    assert np.array_equal(got.alpha, pixels[..., 4])
    turned = read_image(tmp_path / "turned.tif")
    assert np.array_equal(turned.pixels, np.rot90(got.pixels, 1)) and np.array_equal(turned.alpha, np.rot90(pixels[..., 4], 1))
    with pytest.raises(ImageError, match="^CMYK TIFF with extra channels compressed as LZW, which cannot be read here"):
        read_image(as_lzw(tmp_path / "a.tif", tmp_path / "lzw.tif"))


def gray_profile(name, gamma):
    """`icc_profile` made a gray one: colour space GRAY, its red tone curve listed as the gray curve (kTRC)."""
    icc = bytearray(icc_profile(name, (0.4, 0.2, 0.0), (0.4, 0.7, 0.1), (0.1, 0.1, 0.7), gamma=gamma))
    icc[16:20] = b"GRAY"
    for k in range(struct.unpack_from(">I", icc, 128)[0]):
        if icc[132 + 12 * k : 136 + 12 * k] == b"rTRC":
            icc[132 + 12 * k : 136 + 12 * k] = b"kTRC"
    return bytes(icc)


def test_gray_pictures_tone_curves_are_converted_to_srgbs(tmp_path):
    ramp = np.arange(0, 256, 5, dtype=np.uint8)[None].repeat(3, 0)
    icc = gray_profile("Gray Gamma 1.8 (test)", 1.8)
    Image.fromarray(ramp).save(tmp_path / "scan.png", icc_profile=icc)
    Image.fromarray(ramp).save(tmp_path / "scan.jpg", icc_profile=icc, quality=100)
    scan = read_image(tmp_path / "scan.png")
    # LittleCMS's own conversion of the same gray (to RGB, whose channels agree) is the reference
    lcms = np.asarray(ImageCms.profileToProfile(Image.fromarray(ramp), ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                                ImageCms.createProfile("sRGB"), outputMode="RGB"))[..., 0]
    assert scan.pixels.ndim == 2 and np.abs(scan.pixels.astype(int) - lcms).max() <= 1
    assert scan.pixels[0, 25] > 125 + 10  # a gamma-1.8 middle gray is lighter than the same number in sRGB
    assert scan.notes == ["tones converted to sRGB from the embedded profile 'Gray Gamma 1.8 (test)'"]
    assert read_image(tmp_path / "scan.jpg").notes == scan.notes
    deep = np.arange(0, 65536, 1285, dtype=np.uint16)[None]
    Image.fromarray(deep).save(tmp_path / "deep.png", icc_profile=icc)  # 16-bit gray keeps its 16 bits
    got = read_image(tmp_path / "deep.png").pixels
    y = (deep / 65535) ** (round(1.8 * 256) / 256)  # the gamma as the profile stores it (u8Fixed8)
    expected = np.round(65535 * np.where(y <= 0.0031308, 12.92 * y, 1.055 * y ** (1 / 2.4) - 0.055))
    assert got.dtype == np.uint16 and np.abs(got.astype(int) - expected).max() <= 2
    import gantools.api as api

    with Image.open(tmp_path / "scan.png") as im:  # the Python API converts a PIL image's tones the same way
        assert np.array_equal(api._decode(im, 10**6).pixels, scan.pixels)
        assert np.array_equal(api._decode(im.convert("LA"), 10**6).pixels, scan.pixels)  # alpha kept apart
    Image.fromarray(ramp).save(tmp_path / "srgb_gray.png", icc_profile=gray_profile("sGray", 2.2))
    assert np.array_equal(read_image(tmp_path / "srgb_gray.png").pixels, ramp)  # sRGB's own gray: untouched


def test_iphone_heic_avif_and_jpeg_xl_photos_are_read(tmp_path):
    from pathlib import Path

    from PIL import features

    # quadrants.heic: 64x48, red | green over blue | yellow, written once by pillow-heif's encoder (HEVC, 680 bytes)
    heic = read_image(Path(__file__).parent / "data" / "quadrants.heic")
    assert heic.pixels.shape == (48, 64, 3)
    for (y, x), rgb in {(10, 10): (220, 40, 40), (10, 50): (40, 200, 60), (40, 10): (40, 60, 210), (40, 50): (230, 220, 40)}.items():
        assert np.abs(heic.pixels[y, x].astype(int) - rgb).max() <= 4
    pixels = np.zeros((20, 30, 3), np.uint8)
    pixels[:, 15:] = (200, 90, 30)
    Image.fromarray(pixels).save(tmp_path / "x.jxl", quality=95)  # JPEG XL: pillow-jxl-plugin, a dependency
    jxl = read_image(tmp_path / "x.jxl")
    assert jxl.pixels.shape == (20, 30, 3) and np.abs(jxl.pixels[10, 25].astype(int) - (200, 90, 30)).max() <= 8
    assert jxl.notes == []  # its own colour profile is sRGB's: nothing converted, nothing said
    Image.fromarray(pixels[..., 0]).save(tmp_path / "g.jxl", lossless=True)
    gray = read_image(tmp_path / "g.jxl")  # a gray JPEG XL's profile is sRGB's curve under another name
    assert np.array_equal(gray.pixels, pixels[..., 0]) and gray.notes == []
    if features.check("avif"):
        pixels = np.zeros((20, 30, 3), np.uint8)
        pixels[:, 15:] = (30, 90, 200)
        Image.fromarray(pixels).save(tmp_path / "x.avif", quality=95)
        avif = read_image(tmp_path / "x.avif").pixels
        assert avif.shape == (20, 30, 3) and np.abs(avif[10, 25].astype(int) - (30, 90, 200)).max() <= 8
