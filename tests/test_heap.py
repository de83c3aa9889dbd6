"""The runner gives freed heap memory back now and then (a long batch's memory otherwise creeps up)."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from gantools.cli.main import main
from gantools.infer import heap, runner

glibc = pytest.mark.skipif(heap._trim is None, reason="malloc_trim is glibc's (Linux) only")


def rss_mib() -> float:
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


@glibc
def test_freed_buffers_pinned_by_small_ones_go_back_to_the_system():
    big, keep = [], []
    for _ in range(2000):  # 120 MB of heap buffers, each followed by a small one that stays
        big.append(bytearray(60_000))
        keep.append(bytearray(600))
    del big
    before = rss_mib()  # freed, but glibc keeps the pages
    assert heap.trim_heap(interval=0)
    assert rss_mib() < before - 60
    assert len(keep) == 2000


@glibc
def test_trims_at_most_once_per_interval():
    assert heap.trim_heap(interval=0)
    assert not heap.trim_heap(interval=3600)


def test_the_folder_runner_trims_during_a_batch(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(runner, "trim_heap", lambda: calls.append(1))
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        Image.fromarray(np.full((20, 30), 40 * i, np.uint8)).save(src / f"{i}.png")
    result = CliRunner().invoke(main, ["colorize", str(src), str(tmp_path / "out"), "--quiet", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 3  # once per batch; the throttle lives in trim_heap


def test_the_python_api_trims_after_each_call(monkeypatch):
    import gantools
    from gantools import api

    calls = []
    monkeypatch.setattr(api, "trim_heap", lambda: calls.append(1))
    model = gantools.load("colorize")
    model([np.full((20, 30), 90, np.uint8), np.full((30, 20), 90, np.uint8)])
    model(np.zeros((16, 16), np.uint8))
    assert len(calls) == 2  # once per call, whatever its batches; the throttle lives in trim_heap
