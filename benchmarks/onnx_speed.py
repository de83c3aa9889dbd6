"""onnxruntime against PyTorch on this CPU: images/s of each bundled image model's graph (Predictor.onnx_graph)
on its example input, batch 1, both on all threads, alternated, median of repeats.

    python benchmarks/onnx_speed.py [--models colorize,superres-x4,sketch2photo] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import onnxruntime as ort
import torch

from gantools.files import weights
from gantools.files.onnx_export import export_onnx


def rate(fn, seconds: float = 2.0) -> float:
    fn()
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        done += 1
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="colorize,superres-x4,sketch2photo")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads), onnxruntime {ort.__version__}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models.split(","):
            loaded = weights.load(name)
            path = Path(tmp) / f"{name}.onnx"
            export_onnx(loaded, path)
            graph, example, names = loaded.recipe.predictor(loaded.networks, torch.device("cpu")).onnx_graph()
            session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            feed = {n: t.numpy() for n, t in zip(names, example)}
            with torch.inference_mode():
                a = [rate(lambda: graph(*example)) for _ in range(args.repeats)]
                b = [rate(lambda: session.run(None, feed)) for _ in range(args.repeats)]
            pa, pb = statistics.median(a), statistics.median(b)
            shape = "x".join(str(d) for d in example[0].shape)
            print(f"{name} ({shape}): PyTorch {pa:.2f}/s, onnxruntime {pb:.2f}/s ({pb / pa:.2f}x)", flush=True)


if __name__ == "__main__":
    main()
