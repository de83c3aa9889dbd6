"""Soak: thousands of small images (mixed sizes and modes, 1% broken) through `gantools colorize` and
`gantools upscale` in one process each, resident memory, open files and threads sampled every second (Linux /proc).

Pass: the report is complete (every input done or failed by name), and the last tenth of the RSS samples stays
within 5% of the second tenth (no growth), open files and threads likewise flat. Writes the RSS curve as a PNG.

    python benchmarks/soak.py [--images 10000] [--work DIR] [--plot soak.png] [--commands colorize,upscale]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image


def make_inputs(folder: Path, n: int, seed: int = 0) -> int:
    """n images: RGB/gray/RGBA/16-bit PNG and JPEG of 16-160 px; every 100th a broken file. Returns broken count."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    broken = 0
    for i in range(n):
        sub = folder / f"d{i // 1000:02d}"
        sub.mkdir(exist_ok=True)
        if i % 100 == 99:
            (sub / f"{i:05d}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + rng.bytes(int(rng.integers(0, 200))))
            broken += 1
            continue
        h, w = (int(v) for v in rng.integers(16, 161, 2))
        y, x = np.mgrid[0:h, 0:w]
        rgb = np.stack([(x * 3 + i) % 256, (y * 2) % 256, (x + y + 7 * i) % 256], axis=2).astype(np.uint8)
        kind = i % 5
        if kind == 0:
            Image.fromarray(rgb).save(sub / f"{i:05d}.jpg", quality=90)
        elif kind == 1:
            Image.fromarray(rgb[..., 0]).save(sub / f"{i:05d}.png")
        elif kind == 2:
            Image.fromarray(np.dstack([rgb, rgb[..., 1]]), "RGBA").save(sub / f"{i:05d}.png")
        elif kind == 3:
            import cv2

            cv2.imwrite(str(sub / f"{i:05d}.png"), (rgb.astype(np.uint16) * 257)[..., ::-1])
        else:
            Image.fromarray(rgb).save(sub / f"{i:05d}.png")
    return broken


def read_proc(pid: int) -> tuple[float, int, int]:
    """(RSS in MiB, open file descriptors, threads) of a running process, from Linux's /proc."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, len(list(Path(f"/proc/{pid}/fd").iterdir())), int(status["Threads"])


def soak(cmd: list[str], out: Path) -> dict:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    samples: list[tuple[float, float, int, int]] = []
    claims = [0]  # most `.NAME.claim` files seen at once in OUT: only the images in flight, not the batch
    start = time.perf_counter()

    def sample():
        while proc.poll() is None:
            try:
                samples.append((time.perf_counter() - start, *read_proc(proc.pid)))
                claims[0] = max(claims[0], sum(1 for _ in out.rglob(".*.claim")))
            except (OSError, KeyError):
                break
            time.sleep(1.0)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    proc.communicate()
    watcher.join()
    tenth = max(1, len(samples) // 10)
    second, last = samples[tenth : 2 * tenth], samples[-tenth:]
    mean = lambda rows, i: float(np.mean([r[i] for r in rows]))  # noqa: E731
    return {"seconds": time.perf_counter() - start, "samples": samples, "returncode": proc.returncode,
            "max_claims": claims[0], "rss_second_tenth_mib": mean(second, 1), "rss_last_tenth_mib": mean(last, 1),
            "fds": (mean(second, 2), mean(last, 2)), "threads": (mean(second, 3), mean(last, 3))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--plot", type=Path, default=Path("soak.png"))
    parser.add_argument("--commands", default="colorize,upscale", help="which halves to run (allocator settings such as "
                        "MALLOC_MMAP_THRESHOLD_ in the environment reach the command)")
    parser.add_argument("--colorize-args", default="", help="extra options for the colorize half, e.g. '--size-multiple 128'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        src = work / "inputs"
        broken = make_inputs(src, args.images)
        curves = {}
        halves = {"colorize": args.colorize_args.split(), "upscale": ["--model", "superres-x2"]}
        for name, extra in ((n, halves[n]) for n in args.commands.split(",")):
            out = work / f"out-{name}"
            result = soak([sys.executable, "-m", "gantools", name, str(src), str(out), "--quiet", *extra], out)
            report = json.loads((out / "gantools-report.json").read_text())
            complete = report["done"] + len(report["failed"]) == args.images and len(report["failed"]) == broken
            growth = result["rss_last_tenth_mib"] / result["rss_second_tenth_mib"] - 1
            curves[name] = result["samples"]
            print(f"{name}: {args.images} images in {result['seconds']:.0f} s ({args.images / result['seconds']:.1f}/s); "
                  f"report {'complete' if complete else 'INCOMPLETE'} (done {report['done']}, failed {len(report['failed'])} "
                  f"of {broken} broken); RSS {result['rss_second_tenth_mib']:.0f} -> {result['rss_last_tenth_mib']:.0f} MiB "
                  f"({growth:+.1%}, {'flat' if abs(growth) <= 0.05 else 'GROWING'}); open files {result['fds'][0]:.0f} -> "
                  f"{result['fds'][1]:.0f}; threads {result['threads'][0]:.0f} -> {result['threads'][1]:.0f}; "
                  f"claim files at most {result['max_claims']} at once", flush=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2))
    for name, samples in curves.items():
        ax.plot([s[0] for s in samples], [s[1] for s in samples], label=name)
    ax.set_xlabel("seconds")
    ax.set_ylabel("resident memory (MiB)")
    ax.set_title(f"soak: {args.images} images per command")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.plot, dpi=110)
    args.plot.with_suffix(".json").write_text(json.dumps({k: [[round(x, 1) for x in s] for s in v] for k, v in curves.items()}))
    print(f"RSS curve: {args.plot} (samples: {args.plot.with_suffix('.json')})")


if __name__ == "__main__":
    main()
