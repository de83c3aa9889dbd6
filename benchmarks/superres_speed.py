"""Super-resolution speed: output megapixels/s of a x4 model against a Real-ESRGAN `realesr-general-x4v3`-sized
network, built here, on the same input in the same run.

The reference is SRVGGNetCompact as Real-ESRGAN defines it for realesr-general-x4v3: a 3x3 conv to 64
channels, 32 convs of 64 channels, each followed by PReLU, a conv to 3*16 channels, pixel shuffle x4,
plus the nearest-upsampled input (1.2M parameters). Both run in eval mode under inference_mode on
the same 1x3xHxW input, alternated and repeated; the median of each is compared.

    python benchmarks/superres_speed.py [--model superres-x4] [--size 128] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from gantools.files import weights


class SRVGGNetCompact(nn.Module):
    def __init__(self, features: int = 64, convs: int = 32, scale: int = 4):
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(3, features, 3, 1, 1), nn.PReLU(features)]
        for _ in range(convs):
            layers += [nn.Conv2d(features, features, 3, 1, 1), nn.PReLU(features)]
        layers.append(nn.Conv2d(features, 3 * scale * scale, 3, 1, 1))
        self.body, self.up, self.scale = nn.Sequential(*layers), nn.PixelShuffle(scale), scale

    def forward(self, x):
        return self.up(self.body(x)) + F.interpolate(x, scale_factor=self.scale, mode="nearest")


def output_mp_per_s(net: nn.Module, x: torch.Tensor, scale: int, seconds: float = 3.0) -> float:
    with torch.inference_mode():
        net(x)
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            net(x)
            done += 1
    return done * x.shape[2] * x.shape[3] * scale * scale / 1e6 / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="superres-x4")
    parser.add_argument("--size", type=int, default=128, help="input side in pixels")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    loaded = weights.load(args.model, expect_recipe="superres")
    ours, scale = loaded.generator.eval(), loaded.recipe.config.scale
    ref = SRVGGNetCompact(scale=scale).eval()
    x = torch.rand(1, 3, args.size, args.size)
    params = lambda n: sum(p.numel() for p in n.parameters()) / 1e6  # noqa: E731
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; input {args.size}x{args.size}, x{scale}")
    print(f"{args.model}: {params(ours):.3f}M parameters; realesr-general-x4v3-sized SRVGGNetCompact: {params(ref):.3f}M")
    a, b = [], []
    for _ in range(args.repeats):
        a.append(output_mp_per_s(ours, x, scale))
        b.append(output_mp_per_s(ref, x, scale))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"{args.model}: {ma:.2f} output MP/s (runs: {', '.join(f'{v:.2f}' for v in a)})")
    print(f"SRVGGNetCompact: {mb:.2f} output MP/s (runs: {', '.join(f'{v:.2f}' for v in b)})")
    print(f"speed-up: {ma / mb:.1f}x")


if __name__ == "__main__":
    main()
