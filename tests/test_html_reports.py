"""`gantools eval ... --html`: one self-contained page with the figures, the per-image rows and every example strip;
rendered by a real browser when Debian's chromium is installed."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import html_page
from gantools.cli.main import main
from gantools.files.html_page import HtmlPage


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def eval_page(tmp_path):
    data = tmp_path / "held"
    data.mkdir()
    rng = np.random.default_rng(0)
    for name in ("one", "two"):
        smooth = np.kron(rng.integers(0, 255, (8, 10, 3)), np.ones((8, 8, 1))).astype(np.uint8)  # blocks: something to upscale
        Image.fromarray(smooth).save(data / f"{name}.png")
    (data / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    page = tmp_path / "report.html"
    result = invoke("eval", "superres", "--data", data, "--model", "superres-x2", "--html", page)
    assert result.exit_code == 0, result.output
    return page


def test_eval_html_holds_figures_rows_and_examples(eval_page, tmp_path):
    text, pictures = html_page(eval_page)
    for words in ("Checks", "PSNR above bicubic", "psnr_y", "one.png", "two.png", "broken.png", "Examples", "No training log"):
        assert words in text, words
    assert len(pictures) == 2 and pictures[0].size[0] > 3 * 80  # bicubic | model | original, each 80 px wide
    assert not list(tmp_path.glob("gantools-eval-*"))  # the temporary examples folder is gone


def test_page_escapes_what_it_shows(tmp_path):
    page = HtmlPage("<script>alert(1)</script>")
    page.table([{"file": "<img src=x onerror=alert(1)>", "psnr": 1.0}])
    page.save(tmp_path / "p.html")
    raw = (tmp_path / "p.html").read_text()
    assert "<script>alert" not in raw and "<img src=x" not in raw


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (apt install chromium)")
def test_eval_page_renders_in_headless_chromium(eval_page, tmp_path):
    shot = tmp_path / "shot.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}", "--window-size=1200,1600",
                    eval_page.as_uri()], check=True, capture_output=True, timeout=120)
    pixels = np.asarray(Image.open(shot).convert("L"))
    assert pixels.shape == (1600, 1200) and pixels.std() > 10  # a page with tables and pictures, not a blank one
