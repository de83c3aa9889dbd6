"""Data-parallel training when started by torchrun: process group, ranks, and rank 0 as the only writer."""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistInfo:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def launched_by_torchrun() -> bool:
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1


def init(device_type: str) -> DistInfo:
    """Join the process group torchrun set up (gloo on CPU, nccl on CUDA); a no-op for one process."""
    if not launched_by_torchrun():
        return DistInfo()
    info = DistInfo(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), int(os.environ.get("LOCAL_RANK", 0)))
    if not dist.is_initialized():
        backend = "nccl" if device_type == "cuda" else "gloo"
        if device_type == "cuda":
            torch.cuda.set_device(info.local_rank)
        dist.init_process_group(backend=backend)
    return info


def wrap(module: torch.nn.Module, info: DistInfo) -> torch.nn.Module:
    """DDP around `module` when data-parallel; BN statistics stay per process (no sync at every forward)."""
    if not info.enabled:
        return module
    from torch.nn.parallel import DistributedDataParallel as DDP

    params = inspect.signature(DDP.__init__).parameters
    no_sync = {"forward_sync_buffers": False} if "forward_sync_buffers" in params else {"broadcast_buffers": False}
    return DDP(module, **no_sync)


def barrier(info: DistInfo) -> None:
    if info.enabled:
        dist.barrier()


def gather_objects(info: DistInfo, obj):
    """Every rank's `obj`, as a list indexed by rank (just [obj] for one process)."""
    if not info.enabled:
        return [obj]
    out = [None] * info.world_size
    dist.all_gather_object(out, obj)
    return out


def any_rank(info: DistInfo, flag: torch.Tensor) -> bool:
    """True if `flag` (a 0-d tensor) is non-zero on any rank."""
    if info.enabled:
        flag = flag.clone().float()
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
    return bool(flag.item())


def shutdown(info: DistInfo) -> None:
    if info.enabled and dist.is_initialized():
        dist.destroy_process_group()
