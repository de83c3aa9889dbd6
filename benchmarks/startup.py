"""Start-up time: what a user waits for on one photo, most of which is Python importing before any pixel moves.

Times, in fresh processes, `gantools --help`, a usage error (exit 2), and `colorize`, `upscale --scale 2`, `sketch2photo`
and `translate` on one bundled sample, each --repeats times; prints the median and the fastest, in seconds.

    python benchmarks/startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "assets" / "samples" / "camera.png"
# the console script pip installed beside this Python (not a version manager's shim, which adds its own start-up)
GANTOOLS = shutil.which("gantools", path=str(Path(sys.executable).parent)) or "gantools"


def timed(args: list[str], expect: int) -> float:
    start = time.perf_counter()
    done = subprocess.run([GANTOOLS, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != expect:
        raise SystemExit(f"{' '.join(args)} exited {done.returncode}, not {expect}: {done.stderr.strip()[-300:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    work = Path(tempfile.mkdtemp(prefix="gantools-startup-"))
    cases = {
        "gantools --help": (["--help"], 0),
        "usage error (no such input)": (["colorize", str(work / "missing.png"), str(work / "x")], 2),
        "colorize one 512x512 photo": (["colorize", str(SAMPLE), str(work / "c"), "--quiet", "--overwrite"], 0),
        "upscale x2 one 512x512 photo": (["upscale", str(SAMPLE), str(work / "u"), "--scale", "2", "--quiet", "--overwrite"], 0),
        "sketch2photo one 512x512 image": (["sketch2photo", str(SAMPLE), str(work / "k"), "--quiet", "--overwrite"], 0),
        "translate one 512x512 photo": (["translate", str(SAMPLE), str(work / "t"), "--model", "selfie2anime", "--quiet", "--overwrite"], 0),
    }
    try:
        timed(["--help"], 0)  # warm the file cache once
        for name, (args, expect) in cases.items():
            runs = [timed(args, expect) for _ in range(repeats)]
            print(f"{name:32s} median {statistics.median(runs):5.2f} s   fastest {min(runs):5.2f} s   ({repeats} runs)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
