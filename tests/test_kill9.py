"""Kill -9 (part of issue 29; benchmarks/kill9.py runs many random trials): a training run killed mid-way and
resumed ends bit-identical to an unkilled one; a folder run killed mid-way leaves only whole outputs, and its
re-run finishes with nothing left over."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image
from safetensors.torch import load_file

CLI = [sys.executable, "-m", "gantools"]


def shapes(folder: Path, n: int, side: int) -> None:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        img = np.full((side, side, 3), 30, np.uint8)
        y, x = rng.integers(0, side // 2, 2)
        img[y : y + side // 3, x : x + side // 3] = rng.integers(80, 255, 3)
        Image.fromarray(img).save(folder / f"{i:03d}.png")


def kill_when(cmd: list[str], ready, extra: float) -> None:
    """Start cmd; SIGKILL it `extra` seconds after ready() first holds."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not ready() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    time.sleep(extra)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_training_killed_and_resumed_matches_an_unkilled_run(tmp_path):
    data = tmp_path / "shapes"
    shapes(data, 16, 16)
    train = [*CLI, "train", "dcgan", "--data", str(data), "--steps", "30", "--size", "16", "--base", "4", "--z-dim", "4",
             "--batch-size", "4", "--checkpoint-every", "1", "--sample-every", "0", "--quiet"]
    subprocess.run([*train, "--out", str(tmp_path / "straight")], check=True, capture_output=True)
    out = tmp_path / "killed"
    kill_when([*train, "--out", str(out)], lambda: (out / "checkpoint.pt").exists(), 0.3)
    assert (out / "checkpoint.pt").exists() and not (out / "model.safetensors").exists()  # killed mid-run
    subprocess.run([*train, "--out", str(out), "--resume"], check=True, capture_output=True)
    a, b = load_file(str(tmp_path / "straight" / "model.safetensors")), load_file(str(out / "model.safetensors"))
    assert a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)


def test_a_folder_run_killed_mid_way_leaves_whole_outputs_and_reruns_to_the_end(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    shapes(src, 40, 96)
    cmd = [*CLI, "upscale", str(src), str(out), "--model", "superres-x2", "--quiet", "--workers", "1"]
    kill_when(cmd, lambda: out.exists() and any(out.glob("*.png")), 0.2)
    written = list(out.glob("*.png"))
    assert 0 < len(written) < 40
    for path in written:
        with Image.open(path) as im:
            im.load()
            assert im.size == (192, 192)
    rerun = subprocess.run(cmd, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{i:03d}.png" for i in range(40)] + ["gantools-report.json"])
