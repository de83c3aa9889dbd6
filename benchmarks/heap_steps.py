"""Where a long colorize batch's memory steps come from: the soak's image sizes through `gantools.load('colorize')`,
grouped as the folder runner groups them (same working shape, at most 4), resident memory after every call.
Prints the RSS of the second and last tenth and every step of more than 5 MiB, marking those that came with the
first sight of a new (working shape, batch count) pair; `--trim-every N` hands freed heap back every N calls.

    python benchmarks/heap_steps.py [--images 3000] [--trim-every 0]
"""

from __future__ import annotations

import argparse
import ctypes
import time
from pathlib import Path

import numpy as np

import gantools


def rss_mib() -> float:
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def working_shape(h: int, w: int, render: int = 256, multiple: int = 128) -> tuple[int, int]:
    """The colorize predictor's padded working size (recipes/colorize/recipe.py, `prepare`)."""
    s = min(render / min(h, w), 4 * render / max(h, w))
    return tuple(-(-max(1, round(v * s)) // multiple) * multiple for v in (h, w))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--trim-every", type=int, default=0, help="malloc_trim(0) every N calls (0: never)")
    args = parser.parse_args()
    trim = ctypes.CDLL("libc.so.6").malloc_trim if args.trim_every else None
    model = gantools.load("colorize")
    rng = np.random.default_rng(0)  # the soak's sizes (benchmarks/soak.py draws them the same way)
    sizes = [tuple(int(v) for v in rng.integers(16, 161, 2)) for _ in range(args.images)]
    groups: list[list[tuple[int, int]]] = [[]]
    for hw in sizes:
        if groups[-1] and (len(groups[-1]) == 4 or working_shape(*groups[-1][0]) != working_shape(*hw)):
            groups.append([])
        groups[-1].append(hw)
    seen: set = set()
    log = []
    start = time.perf_counter()
    for i, group in enumerate(groups):
        key = (working_shape(*group[0]), len(group))
        model([(np.arange(h * w * 3) % 251).astype(np.uint8).reshape(h, w, 3) for h, w in group], batch_size=4)
        if trim is not None and i % args.trim_every == 0:
            trim(0)
        log.append((rss_mib(), key not in seen))
        seen.add(key)
    tenth = len(log) // 10
    second, last = (float(np.mean([r for r, _ in rows])) for rows in (log[tenth:2 * tenth], log[-tenth:]))
    steps = [(j, round(log[j][0] - log[j - 1][0]), log[j][1]) for j in range(1, len(log)) if log[j][0] - log[j - 1][0] > 5]
    print(f"{args.images} images, {len(groups)} calls in {time.perf_counter() - start:.0f} s; {len(seen)} (shape, count) "
          f"pairs; RSS {second:.0f} -> {last:.0f} MiB ({last / second - 1:+.1%}) from the second to the last tenth")
    print(f"steps over 5 MiB: {len(steps)}, {sum(new for *_, new in steps)} at a new pair: {steps[:40]}")


if __name__ == "__main__":
    main()
