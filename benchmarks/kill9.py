"""Kill -9 anywhere: training and the folder runner killed with SIGKILL at random moments, then run again.

Training (tiny dcgan on generated shapes, CPU, fixed seed, a checkpoint every step): each trial kills the run
1-3 times at random moments (so some kills land during a checkpoint write), resumes it with --resume until it
ends, and compares every tensor of the final model with an unkilled run's: they must be bit-identical.
Runner (`gantools upscale` of a folder): killed at a random moment, every output present must be a whole image
of the right size (no partial file), then the re-run must finish with every output and nothing else left.

    python benchmarks/kill9.py [--trials 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from safetensors.torch import load_file

CLI = [sys.executable, "-m", "gantools"]
TRAIN = ["train", "dcgan", "--steps", "40", "--size", "16", "--base", "8", "--z-dim", "8", "--batch-size", "8",
         "--checkpoint-every", "1", "--sample-every", "0", "--log-every", "5", "--quiet"]


def shapes(folder: Path, n: int, side: int) -> None:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        img = np.full((side, side, 3), 30, np.uint8)
        y, x = rng.integers(0, side // 2, 2)
        img[y : y + side // 3, x : x + side // 3] = rng.integers(80, 255, 3)
        Image.fromarray(img).save(folder / f"{i:03d}.png")


def kill_after(cmd: list[str], seconds: float) -> bool:
    """Start cmd, SIGKILL it after `seconds`; True if it was killed (False: it had finished)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def training_trials(work: Path, trials: int, rnd: random.Random) -> tuple[int, int]:
    data = work / "shapes"
    shapes(data, 32, 16)
    straight = work / "straight"
    start = time.perf_counter()
    subprocess.run([*CLI, *TRAIN, "--data", str(data), "--out", str(straight)], check=True, capture_output=True)
    whole_run = time.perf_counter() - start  # kills land anywhere in it: start-up, steps, checkpoint writes, export
    reference = load_file(str(straight / "model.safetensors"))
    passed = killed = 0
    for trial in range(trials):
        out = work / f"killed{trial}"
        kills = 0
        for _ in range(rnd.randint(1, 3)):
            resume = ["--resume"] if (out / "checkpoint.pt").exists() else []
            kills += kill_after([*CLI, *TRAIN, "--data", str(data), "--out", str(out), *resume], rnd.uniform(0.3, whole_run))
        resume = ["--resume"] if (out / "checkpoint.pt").exists() else []
        subprocess.run([*CLI, *TRAIN, "--data", str(data), "--out", str(out), *resume], check=True, capture_output=True)
        final = load_file(str(out / "model.safetensors"))
        same = final.keys() == reference.keys() and all((final[k] == reference[k]).all() for k in final)
        passed += same
        killed += kills > 0
        print(f"training trial {trial}: {kills} kill(s), final model {'identical' if same else 'DIFFERENT'}", flush=True)
    print(f"training: {killed} of {trials} trials were killed at least once (the others finished before their kill time)")
    return passed, trials


def runner_trials(work: Path, trials: int, rnd: random.Random) -> tuple[int, int]:
    src = work / "photos"
    shapes(src, 60, 96)
    passed = 0
    for trial in range(trials):
        out = work / f"out{trial}"
        cmd = [*CLI, "upscale", str(src), str(out), "--model", "superres-x2", "--quiet"]
        killed = kill_after(cmd, rnd.uniform(1.0, 8.0))
        whole = True
        for path in out.glob("*.png") if out.exists() else []:
            try:
                with Image.open(path) as im:
                    im.load()
                    whole &= im.size == (192, 192)
            except OSError:
                whole = False
        rerun = subprocess.run(cmd, capture_output=True)
        names = sorted(p.name for p in out.iterdir())
        complete = rerun.returncode == 0 and names == sorted([f"{i:03d}.png" for i in range(60)] + ["gantools-report.json"])
        passed += whole and complete
        print(f"runner trial {trial}: {'killed' if killed else 'finished before its kill time'}, outputs after it {'whole' if whole else 'PARTIAL'}, "
              f"re-run {'complete, nothing left over' if complete else 'INCOMPLETE: ' + str(names[:5])}", flush=True)
    return passed, trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        t = training_trials(Path(tmp), args.trials, rnd)
        r = runner_trials(Path(tmp), args.trials, rnd)
    print(f"training: {t[0]} of {t[1]} killed runs ended bit-identical to the unkilled one; "
          f"runner: {r[0]} of {r[1]} killed runs left only whole outputs and re-ran to completion")


if __name__ == "__main__":
    main()
