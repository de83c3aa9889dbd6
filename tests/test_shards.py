"""--shard K/N: disjoint, complete parts of a folder (by path hash), one output tree, one merged report."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from gantools.cli.main import main
from gantools.infer.runner import in_shard


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@settings(max_examples=100, deadline=None)
@given(names=st.lists(st.text("abcdef/._-0123456789", min_size=1, max_size=20), unique=True, max_size=60), n=st.integers(1, 7))
def test_shards_are_disjoint_and_complete(names, n):
    from pathlib import Path

    owners = [[k for k in range(1, n + 1) if in_shard(Path(name), (k, n))] for name in names]
    assert all(len(o) == 1 for o in owners)


def test_three_shards_fill_one_tree_and_merge_into_one_report(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    (src / "sub").mkdir(parents=True)
    for i in range(12):
        Image.fromarray(np.full((8, 8, 3), i * 10, np.uint8)).save((src / "sub" if i % 2 else src) / f"{i}.png")
    (src / "broken.png").write_bytes(b"nope")
    reports = []
    for k in (1, 2, 3):
        result = invoke("upscale", src, out, "--model", "superres-x2", "--shard", f"{k}/3", "--quiet")
        assert result.exit_code in (0, 1), result.output
        reports.append(json.loads((out / f"gantools-report-shard-{k}-of-3.json").read_text()))
    assert sum(r["done"] for r in reports) == 12 and sum(len(r["failed"]) for r in reports) == 1
    assert len(list(out.rglob("*.png"))) == 12
    merged = invoke("report", "merge", out)
    assert merged.exit_code == 1 and "3 shards: done 12, skipped 0, failed 1" in merged.output  # the broken file
    total = json.loads((out / "gantools-report.json").read_text())
    assert total["done"] == 12 and total["shards"] == 3


def test_shard_mistakes_end_in_one_line(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src / "a.png")
    for bad in ("0/3", "4/3", "x", "2of3"):
        result = invoke("upscale", src, tmp_path / "o", "--model", "superres-x2", "--shard", bad)
        assert result.exit_code == 2 and "--shard wants K/N" in result.stderr
    (tmp_path / "o").mkdir(exist_ok=True)
    (tmp_path / "o" / "gantools-report-shard-1-of-2.json").write_text("{}")
    result = invoke("report", "merge", tmp_path / "o")
    assert result.exit_code == 2 and "shard(s) 2 of 2 have no report" in result.stderr
