"""The Python API: the README's examples, the CLI's pixels to the byte, every input kind back as its kind,
thread safety, and the library's own errors."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import gantools
from gantools.cli.main import main
from gantools.errors import UserError
from gantools.files.imageio import ImageError, read_image

SAMPLES = Path(gantools.__file__).resolve().parents[1] / "assets" / "samples"


def photo(h, w, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    img = np.stack([np.sin(5 * x + rng.uniform(0, 3)) + np.cos(7 * y * (c + 1)) for c in range(3)], axis=2)
    return np.clip((img + 2) * 63, 0, 255).astype(np.uint8)


def test_the_readme_examples_run():
    image = photo(24, 32)
    model = gantools.load("colorize")
    out = model(image[..., 0])
    outs = model([image[..., 0], image[..., 1]], batch_size=8)
    assert out.shape == (24, 32, 3) and len(outs) == 2
    assert gantools.upscale(image, scale=2, model="psnr").shape == (48, 64, 3)
    assert gantools.colorize(image).shape == (24, 32, 3)
    drawing = np.full((40, 40), 255, np.uint8)
    drawing[10:30, 19:21] = 0  # a line
    assert gantools.sketch2photo(drawing).shape[:2] == (40, 40)


@pytest.mark.parametrize("command, name, model", [("colorize", "camera.png", "colorize"), ("upscale", "coins.png", "superres-x2")])
def test_same_pixels_as_the_command_line(tmp_path, command, name, model):
    extra = ["--model", model] if command == "upscale" else []
    result = CliRunner().invoke(main, [command, str(SAMPLES / name), str(tmp_path), "--quiet", "--batch-size", "1", *extra])
    assert result.exit_code == 0, result.output
    cli = read_image(tmp_path / name).pixels
    api = gantools.load(model)(SAMPLES / name)
    assert api.dtype == cli.dtype and np.array_equal(api, cli)


def test_each_kind_comes_back_as_its_kind(tmp_path):
    model = gantools.load("superres-x2")
    rgba = np.dstack([photo(10, 12), np.full((10, 12), 77, np.uint8)])
    out = model(rgba)
    assert out.shape == (20, 24, 4) and out[..., 3].max() == 77
    assert model(photo(10, 12)[..., 0]).shape == (20, 24)
    deep = (photo(8, 8).astype(np.uint16) * 257)
    assert model(deep).dtype == np.uint16
    pil = model(Image.fromarray(photo(8, 8)))
    assert isinstance(pil, Image.Image) and pil.size == (16, 16)
    written = model(SAMPLES / "coins.png", out=tmp_path / "up.png")
    assert written == tmp_path / "up.png" and Image.open(written).size[0] == 2 * Image.open(SAMPLES / "coins.png").size[0]


def test_threads_share_one_model_safely():
    model = gantools.load("superres-x2")
    images = [photo(16, 16, seed=i) for i in range(8)]
    serial = [model(im) for im in images]
    results: dict[int, np.ndarray] = {}

    def work(i):
        results[i] = model(images[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(results[i], serial[i]) for i in range(8))


def test_errors_are_the_librarys_own(tmp_path):
    model = gantools.load("superres-x2")
    with pytest.raises(UserError, match="numpy arrays, PIL images or paths"):
        model(42)
    with pytest.raises(UserError, match="uint8 or uint16"):
        model(np.zeros((4, 4, 3), np.float32))
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nnope")
    with pytest.raises(ImageError):
        model(tmp_path / "bad.png")
    with pytest.raises(UserError, match="does not turn images into images"):
        gantools.load("dcgan-digits")
    with pytest.raises(UserError, match="not a 'sketch2photo' model"):
        gantools.sketch2photo(np.zeros((8, 8), np.uint8), model="superres-x2")
    with pytest.raises(UserError, match="upscales x2, not x4"):
        gantools.upscale(np.zeros((8, 8, 3), np.uint8), scale=4, model="superres-x2")
    with pytest.raises(UserError, match="no pixels"):
        model(np.zeros((0, 5, 3), np.uint8))
    with pytest.raises(ImageError, match="over the limit"):
        model(np.zeros((30, 30), np.uint8), max_pixels=100)  # gray arrays are held to the limit too
    with pytest.raises(UserError, match="no bundled real model for scale 2; bundled: superres-x2"):
        gantools.upscale(np.zeros((8, 8, 3), np.uint8), scale=2, model="real")
