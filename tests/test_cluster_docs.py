"""docs/cluster.md's Ray Data example, run as written on a local Ray instance (2 CPUs) over a folder with a
broken file: one model per worker, every good file written, the broken one reported in the rows."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

DOC = Path(__file__).resolve().parents[1] / "docs" / "cluster.md"


def test_ray_data_example_runs(tmp_path, monkeypatch, capsys):
    pytest.importorskip("ray", reason="the [ray] extra is not installed (pip install -e '.[ray]')")
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for i in range(5):
        Image.fromarray(rng.integers(0, 255, (24, 32), dtype=np.uint8)).save(photos / f"{i}.png")
    (photos / "broken.jpg").write_bytes(b"not a jpeg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    exec(compile(code, str(DOC), "exec"), {"__name__": "cluster_doc"})
    printed = capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "colour").iterdir()) == [f"{i}.png" for i in range(5)]
    assert Image.open(tmp_path / "colour" / "0.png").size == (32, 24)
    assert printed.count(" done") == 5 and "broken.jpg failed:" in printed
