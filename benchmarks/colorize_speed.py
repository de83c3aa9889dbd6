"""Colorize prediction throughput at 256x256 against pix2pix's unet_256, and training steps/s, on this machine.

The reference is pix2pix's UnetGenerator as `--netG unet_256` builds it (8 downsamplings of 4x4
stride-2 convs, 64 base filters, batch norm, transposed-conv upsampling, 54.4M parameters), here
with 1 input (L) and 2 output (ab) channels. Ours is the predictor's whole forward stage: the ImageNet
teacher, ColorNet, the annealed-mean decoding and the resize back to 256x256 (ab and confidence).
Both map a 256x256 L image to 256x256 ab, in eval mode under inference_mode, same batches, runs
alternated and repeated; the median of each is compared. Ours runs as shipped (precision "auto": bfloat16 on a CPU
with AVX512-BF16, else float32) and pinned to float32; the reference in float32 (as pix2pix runs) and under the
same bfloat16 autocast, so every pairing is printed.

    python benchmarks/colorize_speed.py [--model colorize] [--batch 4] [--repeats 5] [--train-steps 40]

It also times the decoding alone on the model's own logits, in place (what the predictor does) and with
a fresh softmax buffer (the plain `bins.decode`), alternated: the in-place one must stay the cheaper.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import photo_patches  # noqa: E402

from gantools.files import weights  # noqa: E402
from gantools.infer.precision import resolve  # noqa: E402


class _SkipBlock(nn.Module):
    """pix2pix's UnetSkipConnectionBlock (models/networks.py), batch norm, no dropout at inference."""

    def __init__(self, outer, inner, sub=None, outermost=False, innermost=False, in_channels=None):
        super().__init__()
        in_channels = in_channels or outer
        down = [nn.LeakyReLU(0.2, True), nn.Conv2d(in_channels, inner, 4, 2, 1, bias=False)]
        if outermost:
            layers = [nn.Conv2d(in_channels, inner, 4, 2, 1), sub, nn.ReLU(True), nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1), nn.Tanh()]
        elif innermost:
            layers = down + [nn.ReLU(True), nn.ConvTranspose2d(inner, outer, 4, 2, 1, bias=False), nn.BatchNorm2d(outer)]
        else:
            layers = down + [nn.BatchNorm2d(inner), sub, nn.ReLU(True), nn.ConvTranspose2d(inner * 2, outer, 4, 2, 1, bias=False), nn.BatchNorm2d(outer)]
        self.outermost, self.model = outermost, nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


def pix2pix_unet_256(in_channels: int = 1, out_channels: int = 2, ngf: int = 64) -> nn.Module:
    block = _SkipBlock(ngf * 8, ngf * 8, innermost=True)
    for _ in range(3):
        block = _SkipBlock(ngf * 8, ngf * 8, block)
    block = _SkipBlock(ngf * 4, ngf * 8, block)
    block = _SkipBlock(ngf * 2, ngf * 4, block)
    block = _SkipBlock(ngf, ngf * 2, block)
    return _SkipBlock(out_channels, ngf, block, outermost=True, in_channels=in_channels)


def images_per_s(net, batch: int, seconds: float = 3.0) -> float:
    x = torch.randn(batch, 1, 256, 256)
    with torch.inference_mode():
        net(x)  # warm-up
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            net(x)
            done += batch
    return done / (time.perf_counter() - start)


def decoding_ms(loaded, predictor, batch: int, repeats: int) -> tuple[float, float]:
    """Median ms per batch of the decoding in place and with a fresh buffer, on the model's logits of a 256x256 batch."""
    from gantools.recipes.colorize import bins

    with torch.inference_mode():
        logits = loaded.recipe.logits(predictor.networks, torch.randn(batch, 1, 256, 256))
        centres, t = predictor.generator.ab_bins, loaded.recipe.config.temperature
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(10 * repeats):
            for overwrite in (True, False):
                work = logits.clone()
                start = time.perf_counter()
                bins.decode(work, centres, t, confidence_stride=2, overwrite=overwrite)
                times[overwrite].append(1000 * (time.perf_counter() - start))
    return statistics.median(times[True]), statistics.median(times[False])


def params(*nets: nn.Module) -> float:
    return sum(p.numel() for net in nets for p in net.parameters()) / 1e6


def training_rate(steps: int) -> float:
    """Steps/s of `gantools train colorize` with the recipe's defaults (batch 16 of 224x224 crops), after warm-up."""
    from gantools.train.runs import train

    with tempfile.TemporaryDirectory() as tmp:
        data = photo_patches(Path(tmp) / "photos", size=256, stride=128)
        out = Path(tmp) / "run"
        train("colorize", str(data), out, {"steps": steps, "log_every": max(1, steps // 4),
                                            "sample_every": 10**6, "checkpoint_every": 10**6}, progress=False, say=lambda m: None)
        import json

        rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    return statistics.median(r["steps_per_s"] for r in rows if "steps_per_s" in r and r["step"] > steps // 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="colorize")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--train-steps", type=int, default=40, help="0 skips the training measurement")
    args = parser.parse_args()
    torch.manual_seed(0)
    loaded = weights.load(args.model, expect_recipe="colorize")
    predictor = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
    fp32 = copy.copy(predictor)  # the same networks, the recipe's precision pinned to float32
    fp32.recipe = copy.copy(predictor.recipe)
    fp32.recipe.config = replace(predictor.recipe.config, precision="float32")
    ref = pix2pix_unet_256().eval()

    def ref_bf16(x):  # the reference given the same bfloat16 autocast, for a like-for-like ratio
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return ref(x)

    auto = resolve(predictor.recipe.config.precision, torch.device("cpu"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.batch}, 256x256 L in, 256x256 ab out; "
          f"precision 'auto' is {str(auto).removeprefix('torch.')} on this CPU")
    print(f"gantools colorize: {params(*loaded.networks.values()):.2f}M parameters ({', '.join(f'{k} {params(v):.2f}M' for k, v in loaded.networks.items())}); "
          f"pix2pix unet_256: {params(ref):.2f}M parameters")
    nets = {"gantools colorize (as shipped, precision auto)": predictor.forward, "gantools colorize, float32": fp32.forward,
            "pix2pix unet_256, float32": ref, "pix2pix unet_256, bfloat16 autocast": ref_bf16}
    runs: dict[str, list[float]] = {name: [] for name in nets}
    for _ in range(args.repeats):
        for name, net in nets.items():
            runs[name].append(images_per_s(net, args.batch))
    rate = {name: statistics.median(v) for name, v in runs.items()}
    for name, v in runs.items():
        print(f"{name}: {rate[name]:.1f} images/s (runs: {', '.join(f'{x:.1f}' for x in v)})")
    ours, theirs = list(rate.values())[:2], list(rate.values())[2:]
    print(f"speed-up as shipped (ours auto vs pix2pix float32): {ours[0] / theirs[0]:.1f}x; "
          f"float32 vs float32: {ours[1] / theirs[0]:.1f}x; both bfloat16: {ours[0] / theirs[1]:.1f}x")
    in_place, fresh = decoding_ms(loaded, predictor, args.batch, args.repeats)
    print(f"decoding per batch: {in_place:.1f} ms in place, {fresh:.1f} ms with a fresh softmax buffer")
    if args.train_steps:
        print(f"training (recipe defaults, batch 16 of 224x224 crops): {training_rate(args.train_steps):.2f} steps/s")


if __name__ == "__main__":
    main()
