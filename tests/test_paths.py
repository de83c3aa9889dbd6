"""Paths a public tool meets (part of issue 29): symbolic-link loops and links out of the input tree, names that
are not UTF-8, names at and over the file system's limit. Nothing is followed outside the tree or written outside
OUT; each problem is reported by file and the batch goes on."""

from __future__ import annotations

import json
import os

import numpy as np
from click.testing import CliRunner
from PIL import Image

from gantools.cli.main import main


def png(path):
    Image.fromarray(np.full((8, 8, 3), 120, np.uint8)).save(path)


def upscale(src, out, *extra):
    return CliRunner().invoke(main, ["upscale", str(src), str(out), "--model", "superres-x2", "--quiet", *extra])


def report_of(out):
    return json.loads((out / "gantools-report.json").read_text())


def test_links_never_lead_out_of_the_input_tree(tmp_path):
    src, outside = tmp_path / "in", tmp_path / "outside"
    (src / "sub").mkdir(parents=True)
    outside.mkdir()
    png(src / "a.png")
    png(outside / "secret.png")
    os.symlink("..", src / "sub" / "loop")  # a loop: never entered
    os.symlink(outside, src / "sub" / "away")  # a folder outside: never entered
    os.symlink(outside / "secret.png", src / "link.png")  # a file outside: refused by name
    os.symlink("a.png", src / "same.png")  # a link within the tree: fine
    result = upscale(src, tmp_path / "out")
    assert result.exit_code == 1
    out = tmp_path / "out"
    assert sorted(p.name for p in out.rglob("*.png")) == ["a.png", "same.png"]
    failed = report_of(out)["failed"]
    assert [f["file"] for f in failed] == [str(src / "link.png")] and "out of the input folder" in failed[0]["reason"]
    assert sorted(p.name for p in outside.iterdir()) == ["secret.png"]  # nothing written there


def test_names_that_are_not_utf8_are_kept_byte_for_byte(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    raw = os.fsdecode(b"caf\xe9-\xff.png")  # Latin-1 bytes: not UTF-8
    png(src / raw)
    result = upscale(src, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert os.fsencode(next((tmp_path / "out").glob("*.png")).name) == b"caf\xe9-\xff.png"


def test_names_at_and_over_the_limit(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    fits, over = "F" * 251 + ".png", "G" * 240 + ".png"  # 255 bytes; 244 + the suffix below = too long
    png(src / fits)
    png(src / over)
    png(src / "short.png")
    result = upscale(src, tmp_path / "out", "--suffix", "_" * 12)
    assert result.exit_code == 1
    report = report_of(tmp_path / "out")
    assert report["done"] == 1 and {os.path.basename(f["file"]) for f in report["failed"]} == {fits, over}
    assert all("name" in f["reason"].lower() for f in report["failed"])
    plain = upscale(src, tmp_path / "plain")  # without the suffix every name fits, the 255-byte one and its temporary name too
    assert plain.exit_code == 0 and report_of(tmp_path / "plain")["done"] == 3
