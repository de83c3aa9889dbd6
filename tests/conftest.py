"""Tiny image folders made on the spot: tests never need downloaded data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def make_shape(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """A bright disc or square on a dark background, at a random place: two easy-to-tell classes."""
    img = np.zeros((size, size, 3), np.uint8)
    img[:] = rng.integers(0, 40, 3)
    r = size // 4
    cy, cx = rng.integers(r, size - r, 2)
    yy, xx = np.mgrid[:size, :size]
    mask = ((yy - cy) ** 2 + (xx - cx) ** 2 <= r * r) if kind == "disc" else ((abs(yy - cy) <= r) & (abs(xx - cx) <= r))
    img[mask] = (230, 120, 40) if kind == "disc" else (40, 160, 230)
    return img


def write_classes(root: Path, per_class: int = 12, size: int = 20, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for kind in ("disc", "square"):
        (root / kind).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            Image.fromarray(make_shape(kind, size, rng)).save(root / kind / f"{i:03d}.png")
    return root


@pytest.fixture
def shapes(tmp_path: Path) -> Path:
    """Two class folders (disc, square) of 12 RGB 20x20 PNGs each."""
    return write_classes(tmp_path / "shapes")


@pytest.fixture
def tiny_overrides() -> list[str]:
    """Settings that keep a dcgan run to a fraction of a second per step."""
    return ["--size", "16", "--base", "8", "--z-dim", "8", "--batch-size", "8", "--preview", "8", "--log-every", "2"]


@pytest.fixture
def assert_standing_stats():
    """Checks an exported latent generator: its BN buffers equal a fresh standing measurement, not the
    checkpoint EMA's buffers (which were copied from the live G)."""
    import torch

    from gantools.nets import standing_stats

    from gantools.files import weights

    def check(run: Path, recipe: str, checkpoint_run: Path | None = None):
        loaded = weights.load(run, expect_recipe=recipe)
        exported = standing_stats.bn_buffers(loaded.generator)
        standing_stats.for_latent_generator(loaded.recipe, loaded.generator)
        again = standing_stats.bn_buffers(loaded.generator)
        assert all(torch.allclose(exported[k].float(), again[k].float(), atol=1e-5) for k in exported)
        ema = torch.load(Path(checkpoint_run or run) / "checkpoint.pt", map_location="cpu", weights_only=False)["ema"]["G"]["model"]
        assert any(not torch.allclose(ema[k].float(), exported[k].float()) for k in exported if k.endswith("running_var"))
        return loaded

    return check


def html_page(path: Path) -> tuple[str, list]:
    """The text of a self-contained HTML report and its embedded pictures, decoded (each must decode)."""
    import base64
    import io
    from html.parser import HTMLParser

    from PIL import Image

    class Parser(HTMLParser):
        def __init__(self):
            super().__init__()
            self.text, self.images = [], []

        def handle_starttag(self, tag, attrs):
            src = dict(attrs).get("src", "")
            if tag == "img":
                assert src.startswith("data:image/"), f"picture not embedded: {src[:60]}"
                self.images.append(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB"))

        def handle_data(self, data):
            self.text.append(data)

    parser = Parser()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(parser.text), parser.images


def train_tiny_colorize(root: Path) -> Path:
    """A 2-step colorize run on three noise photos: a real model file, fast, for tests of the commands around it."""
    from click.testing import CliRunner
    from PIL import Image

    from gantools.cli.main import main

    photos = root / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (64, 80, 3), dtype=np.uint8)).save(photos / f"{i}.png")
    args = ["train", "colorize", "--data", photos, "--out", root / "run", "--steps", 2, "--batch-size", 2,
            "--size", 160, "--load-size", 160, "--photo-scales", 160, "--base", 8, "--quiet"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return root / "run"
