"""channels_last against contiguous (NCHW) memory format on this CPU: inference of every bundled model and
training steps/s of every built-in recipe, same inputs, same weights, outputs compared.

Inference: each bundled model's network on an input of the size its predictor feeds it, best of --repeats
timed batches for each format, alternated. Training: `benchmarks/recipe_speed.py`'s runs with
`--channels-last` off and on (the trainer's setting), alternated.

    python benchmarks/channels_last.py [--repeats 5] [--train-steps 20] [--no-train]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import torch

from gantools.files import weights

# bundled model -> (input batch, what it stands for)
INPUTS = {
    "colorize": (lambda net: torch.rand(4, 1, 256, 384) * 2 - 1, "4 L images at the 256 render size"),
    "superres-x4": (lambda net: torch.rand(4, 3, 128, 128) * 2 - 1, "4 tiles of 128x128"),
    "superres-x2": (lambda net: torch.rand(4, 3, 128, 128) * 2 - 1, "4 tiles of 128x128"),
    "sketch2photo": (lambda net: torch.rand(4, 1, 160, 160) * 2 - 1, "4 drawings at the 160 render size"),
    "dcgan-digits": (lambda net: (torch.randn(256, net.z_dim), torch.arange(256) % net.n_classes), "256 latents"),
}


def timed(net, x, repeats: int) -> tuple[float, torch.Tensor]:
    args = x if isinstance(x, tuple) else (x,)
    with torch.inference_mode():
        out = net(*args)
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            net(*args)
            best = min(best, time.perf_counter() - t0)
    return best, out.float().contiguous()


def inference(repeats: int) -> None:
    print("inference (best of %d batches each)" % repeats)
    for name, (make, what) in INPUTS.items():
        torch.manual_seed(0)
        net = weights.load(name).generator
        x = make(net)
        t_plain, y_plain = timed(net, x, repeats)
        net = net.to(memory_format=torch.channels_last)
        x_cl = x.contiguous(memory_format=torch.channels_last) if isinstance(x, torch.Tensor) else x
        t_cl, y_cl = timed(net, x_cl, repeats)
        diff = (y_plain - y_cl).abs().max().item()
        print(f"  {name:13s} {what:36s} contiguous {t_plain * 1000:8.1f} ms  channels_last {t_cl * 1000:8.1f} ms  "
              f"speed-up {t_plain / t_cl:5.2f}x  max |diff| {diff:.1e}", flush=True)


def training(steps: int, repeats: int) -> None:
    script = Path(__file__).resolve().parent / "recipe_speed.py"
    print(f"training steps/s ({steps} steps, median of {repeats}; contiguous first, then channels_last)")
    subprocess.run([sys.executable, str(script), "--steps", str(steps), "--repeats", str(repeats),
                    "--flags=--no-channels-last,--channels-last"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--train-steps", type=int, default=20)
    parser.add_argument("--train-repeats", type=int, default=2)
    parser.add_argument("--no-train", action="store_true")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    inference(args.repeats)
    if not args.no_train:
        training(args.train_steps, args.train_repeats)


if __name__ == "__main__":
    main()
