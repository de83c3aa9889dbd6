"""Which device to compute on, and how many threads the CPU gives us."""

from __future__ import annotations

import os

import torch

from gantools.errors import UserError


def best_device() -> str:
    """cuda > mps > cpu: the fastest device this machine has."""
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def resolve_device(name: str | None = "auto") -> torch.device:
    """Turn 'auto', 'cpu', 'cuda', 'cuda:1' or 'mps' into a device, refusing ones this machine lacks."""
    if name in (None, "", "auto"):
        return torch.device(best_device())
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise UserError(f"unknown device '{name}' (use auto, cpu, cuda, cuda:N or mps)") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"device '{name}' asked for, but this machine has no usable CUDA GPU")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise UserError(f"device '{name}' asked for, but only {torch.cuda.device_count()} CUDA GPU(s) exist")
    if device.type == "mps" and best_device() != "mps":
        raise UserError(f"device '{name}' asked for, but MPS is not available here")
    return device


def cpu_threads() -> int:
    """Threads torch uses for CPU work (honours OMP_NUM_THREADS)."""
    return torch.get_num_threads() or os.cpu_count() or 1
