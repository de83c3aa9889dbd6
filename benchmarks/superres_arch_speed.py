"""Which CompactSR widths and depths meet the speed bar: output MP/s of each against a `realesr-general-x4v3`-sized
SRVGGNetCompact in the same run (as benchmarks/superres_speed.py measures it), 128x128 input, x4.

    python benchmarks/superres_arch_speed.py [--sizes 32x8,32x16,40x10,40x12,48x8,64x4] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics

import torch

from gantools.nets.srnet import CompactSR
from superres_speed import SRVGGNetCompact, output_mp_per_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="32x8,32x16,40x10,40x12,48x8,64x4", help="CHANNELSxBLOCKS, comma-separated")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.manual_seed(0)
    x = torch.rand(1, 3, 128, 128)
    ref = SRVGGNetCompact().eval()
    for size in args.sizes.split(","):
        c, b = (int(v) for v in size.split("x"))
        net = CompactSR(4, c, b).eval()
        ours, theirs = [], []
        for _ in range(args.repeats):  # alternated: the machine's drift hits both alike
            ours.append(output_mp_per_s(net, x, 4, 2.0))
            theirs.append(output_mp_per_s(ref, x, 4, 2.0))
        a, r = statistics.median(ours), statistics.median(theirs)
        params = sum(p.numel() for p in net.parameters()) / 1e6
        print(f"{c} channels x {b} blocks: {params:.3f}M parameters, {a:.2f} MP/s vs {r:.2f}: {a / r:.2f}x", flush=True)


if __name__ == "__main__":
    main()
