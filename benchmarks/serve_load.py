"""Load test of `gantools serve` on loopback: N concurrent uploads of a bundled sample, none lost, latency figures.

Starts the server in this process on a free 127.0.0.1 port (nothing leaves the machine), fires N uploads at
once from N threads, checks every reply is a 200 whose download equals the first one, and prints the latency
(upload to reply) percentiles and the throughput. One inference at a time unless --concurrency.

    python benchmarks/serve_load.py [--n 20] [--model colorize] [--sample camera.png] [--concurrency 1]
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
import uvicorn

import gantools
from gantools.serve.app import create_app
from gantools.serve.models import load_models

SAMPLES = Path(gantools.__file__).resolve().parents[1] / "assets" / "samples"


def post(url: str, name: str, data: bytes) -> tuple[int, bytes]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=600) as reply:
        return reply.status, reply.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--model", default="colorize")
    parser.add_argument("--sample", default="camera.png")
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(load_models([args.model], torch.device("cpu")), concurrency=args.concurrency)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    data = (SAMPLES / args.sample).read_bytes()

    def one(i: int) -> tuple[float, int, bytes]:
        t0 = time.perf_counter()
        status, body = post(f"{base}/api/run/{args.model}", f"{i}-{args.sample}", data)
        latency = time.perf_counter() - t0
        result = urllib.request.urlopen(base + json.loads(body)["url"], timeout=60).read()
        return latency, status, result

    start = time.perf_counter()
    with ThreadPoolExecutor(args.n) as pool:
        replies = list(pool.map(one, range(args.n)))
    wall = time.perf_counter() - start
    server.should_exit = True
    thread.join(timeout=10)
    latencies = np.array([r[0] for r in replies])
    ok = sum(r[1] == 200 for r in replies)
    same = sum(r[2] == replies[0][2] for r in replies)
    print(f"{args.n} concurrent uploads of {args.sample} to {args.model} (server concurrency {args.concurrency}): "
          f"{ok} answered 200, {same} identical downloads, none lost: {ok == same == args.n}")
    print(f"latency s: p50 {np.percentile(latencies, 50):.2f}, p90 {np.percentile(latencies, 90):.2f}, "
          f"max {latencies.max():.2f}; {args.n / wall:.2f} requests/s over {wall:.1f} s")


if __name__ == "__main__":
    main()
