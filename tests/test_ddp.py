"""Data-parallel training on the CPU: 2 processes over gloo, as torchrun would start them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import yaml


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world: int, port: int, data: str, out: str, queue, recipe_ref: str = "dcgan") -> None:
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    from gantools.recipe import load_recipe_class
    from gantools.train.trainconfig import TrainConfig
    from gantools.train.trainer import Trainer

    cls = load_recipe_class(recipe_ref)
    settings = {"dcgan": dict(size=16, base=8, z_dim=8, conditional=True),
                # a teacher tuned from a later stage: DDP must not wait for gradients its frozen stages never get
                "colorize": dict(size=160, load_size=160, photo_scales=(160,), base=8, teacher_tune="mixed_5")}
    config = cls.Config(**settings.get(recipe_ref, {}))
    recipe = cls(config)
    dataset = recipe.dataset(data)
    cfg = TrainConfig(steps=4, batch_size=4, preview=4, log_every=2, sample_every=0, checkpoint_every=2, device="cpu", r1_gamma=1.0, lecam_weight=0.3)
    trainer = Trainer(recipe, cfg, dataset, out, progress=False)
    trainer.fit()
    sums = torch.stack([p.detach().double().sum() for name in sorted(trainer.nets) for p in trainer.nets[name].parameters()])
    gathered = [torch.zeros_like(sums) for _ in range(world)]
    dist.all_gather(gathered, sums)
    queue.put((rank, [g.tolist() for g in gathered]))
    dist.destroy_process_group()


FOUR_NETWORKS = str(Path(__file__).parent / "recipes" / "cycle_toy.py")


@pytest.mark.parametrize("recipe_ref", ["dcgan", FOUR_NETWORKS, "colorize"], ids=["two-networks", "four-networks", "tuned-teacher"])
def test_two_process_gloo_keeps_ranks_in_sync(shapes, tmp_path, recipe_ref):
    """Every network's weights agree across ranks after training (DDP all-reduced the gradients of each
    phase's own networks), with R1 and LeCam on."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    port = free_port()
    procs = [ctx.Process(target=_worker, args=(r, 2, port, str(shapes), str(tmp_path / "run"), queue, recipe_ref)) for r in range(2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=240) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for _, gathered in results:
        assert torch.allclose(torch.tensor(gathered[0]), torch.tensor(gathered[1]), rtol=0, atol=1e-9), "ranks diverged"
    run = tmp_path / "run"
    assert (run / "checkpoint.pt").is_file()
    state = torch.load(run / "checkpoint.pt", weights_only=True)
    assert state["world_size"] == 2 and len(state["rng"]) == 2  # every rank's random state, for resume


def test_torchrun_cli(shapes, tmp_path):
    """The README's torchrun command, for real, with 2 processes."""
    out = tmp_path / "ddp"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_port", str(free_port()),
           "-m", "gantools", "train", "dcgan", "--data", str(shapes), "--conditional", "--out", str(out),
           "--steps", "4", "--size", "16", "--base", "8", "--z-dim", "8", "--batch-size", "4", "--quiet", "--device", "cpu"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("done: model in") == 1  # rank 0 alone reports (and writes)
    assert (out / "model.safetensors").is_file()
    assert yaml.safe_load((out / "config.yaml").read_text())["world_size"] == 2


def test_torchrun_two_nodes_on_loopback(shapes, tmp_path):
    """The README's multi-node command: 2 "nodes" x 1 process, each its own torchrun (--nnodes 2 --node_rank K)
    meeting at a c10d rendezvous on 127.0.0.1, as two machines would at the first one's address."""
    out, port = tmp_path / "nodes", free_port()
    train = ["-m", "gantools", "train", "dcgan", "--data", str(shapes), "--conditional", "--out", str(out), "--steps", "4",
             "--size", "16", "--base", "8", "--z-dim", "8", "--batch-size", "4", "--quiet", "--device", "cpu"]
    nodes = [subprocess.Popen([sys.executable, "-m", "torch.distributed.run", "--nnodes", "2", "--nproc_per_node", "1",
                               "--node_rank", str(rank), "--rdzv-backend", "c10d", "--rdzv-endpoint", f"127.0.0.1:{port}",
                               "--rdzv-id", "gantools-test", *train],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
             for rank in range(2)]
    outputs = [node.communicate(timeout=300) for node in nodes]
    for node, (_, err) in zip(nodes, outputs):
        assert node.returncode == 0, err[-3000:]
    assert sum(o.count("done: model in") for o, _ in outputs) == 1  # the global rank 0 alone writes
    assert yaml.safe_load((out / "config.yaml").read_text())["world_size"] == 2
