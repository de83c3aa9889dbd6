"""Where a long colorize batch's memory steps come from: image sizes drawn as the soak draws them, through `gantools.load('colorize')`,
grouped as the folder runner groups them (same working shape, at most 4), resident memory after every call.
Prints the RSS of the second and last tenth and every step of more than 5 MiB, marking those that came with the
first sight of a new (working shape, batch count) pair. `--trim-every N` hands freed heap back every N calls;
0 switches off the API's own trim (at most every 2 s, gantools/infer/heap.py) to see the allocator alone; -1 (the
default) leaves the API as shipped.

    python benchmarks/heap_steps.py [--images 3000] [--trim-every -1|0|N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

import gantools
import gantools.api
from gantools.files.imageio import Decoded
from gantools.infer.heap import trim_heap

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak import read_proc  # noqa: E402


def image(h: int, w: int) -> np.ndarray:
    return (np.arange(h * w * 3) % 251).astype(np.uint8).reshape(h, w, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=3000)
    parser.add_argument("--trim-every", type=int, default=-1,
                        help="malloc_trim(0) every N calls; 0: never, not even the API's own; -1: the API as shipped")
    args = parser.parse_args()
    if args.trim_every >= 0:
        gantools.api.trim_heap = lambda: False  # this script decides when to trim
    model = gantools.load("colorize")
    rng = np.random.default_rng(0)  # 16-160 px a side, as benchmarks/soak.py draws them (its broken files aside)
    sizes = [tuple(int(v) for v in rng.integers(16, 161, 2)) for _ in range(args.images)]
    # The working shape as the predictor pads it (asked of it, not re-derived here).
    working_shape = {hw: tuple(model.predictor.prepare(Decoded(image(*hw))).input.shape) for hw in set(sizes)}
    groups: list[list[tuple[int, int]]] = [[]]
    for hw in sizes:
        if groups[-1] and (len(groups[-1]) == 4 or working_shape[groups[-1][0]] != working_shape[hw]):
            groups.append([])
        groups[-1].append(hw)
    seen: set = set()
    log = []
    start = time.perf_counter()
    for i, group in enumerate(groups):
        key = (working_shape[group[0]], len(group))
        model([image(*hw) for hw in group], batch_size=4)
        if args.trim_every > 0 and i % args.trim_every == 0:
            trim_heap(interval=0)
        log.append((read_proc(os.getpid())[0], key not in seen))
        seen.add(key)
    tenth = len(log) // 10
    second, last = (float(np.mean([r for r, _ in rows])) for rows in (log[tenth:2 * tenth], log[-tenth:]))
    steps = [(j, round(log[j][0] - log[j - 1][0]), log[j][1]) for j in range(1, len(log)) if log[j][0] - log[j - 1][0] > 5]
    print(f"{args.images} images, {len(groups)} calls in {time.perf_counter() - start:.0f} s; {len(seen)} (shape, count) "
          f"pairs; RSS {second:.0f} -> {last:.0f} MiB ({last / second - 1:+.1%}) from the second to the last tenth")
    print(f"steps over 5 MiB: {len(steps)}, {sum(new for *_, new in steps)} at a new pair: {steps[:40]}")


if __name__ == "__main__":
    main()
