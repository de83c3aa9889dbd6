"""How sure a margin between two models is: their `gantools eval --json` files compared photo by photo.

The mean difference of a metric over the files both scored, a 95% paired bootstrap interval over photos (what
another set of photos like these could give), the chance the margin falls below a bar, and how often A wins.

    python benchmarks/paired_margin.py A.json B.json [--metric psnr_y] [--bar 1.0] [--resamples 10000]
    python benchmarks/paired_margin.py E.json E.json --metric psnr --metric-b psnr_gray --bar 1.0   # against a baseline column
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def per_file(path: Path, metric: str) -> dict[str, float]:
    rows = json.loads(path.read_text())["rows"]
    return {row["file"]: float(row[metric]) for row in rows if metric in row}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--metric", default="psnr_y")
    parser.add_argument("--metric-b", default=None, help="B's column when it differs from A's (e.g. psnr_gray: the baseline)")
    parser.add_argument("--bar", type=float, default=None, help="print how often the resampled margin is below this")
    parser.add_argument("--resamples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    metric_b = args.metric_b or args.metric
    a, b = per_file(args.a, args.metric), per_file(args.b, metric_b)
    shared = sorted(a.keys() & b.keys())
    if not shared:
        raise SystemExit(f"error: no file has '{args.metric}' in {args.a} and '{metric_b}' in {args.b}")
    diff = np.array([a[f] - b[f] for f in shared])
    picks = np.random.default_rng(args.seed).integers(0, len(diff), (args.resamples, len(diff)))
    means = diff[picks].mean(axis=1)  # resampling photos, each keeping its own pair of scores
    low, high = np.percentile(means, [2.5, 97.5])
    name = args.metric if metric_b == args.metric else f"{args.metric} - {metric_b}"
    line = (f"{name}: A - B = {diff.mean():+.4f} over {len(shared)} files (95% bootstrap {low:+.3f} .. {high:+.3f}); "
            f"A higher on {np.mean(diff > 0):.1%}")
    if args.bar is not None:
        line += f"; margin below {args.bar:g} in {np.mean(means < args.bar):.1%} of resamples"
    print(line)


if __name__ == "__main__":
    main()
