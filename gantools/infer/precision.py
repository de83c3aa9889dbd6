"""The arithmetic a predictor's networks run in: float32, or bfloat16 where the hardware runs it natively.

bfloat16 keeps float32's range with an 8-bit mantissa. On a CPU with AVX512-BF16 (AMD Zen 4 and later, Intel
Cooper Lake, Sapphire Rapids and later with AMX) oneDNN runs convolutions in it about 1.5x faster; elsewhere it
is emulated and slower, so "auto" uses it only where it is native. A recipe opts in (a `precision` field made by
`precision_setting()`, listed in its inference_options) once its held-out figures are measured both ways
(benchmarks/RESULTS.md); the networks run under autocast, and what the recipe computes from their outputs stays in
float32. Recipes without the field run in float32.
"""

from __future__ import annotations

import contextlib

import torch

from gantools.config import setting

PRECISIONS = ("auto", "float32", "bfloat16")


def precision_setting(default: str = "auto"):
    """The `precision` field of a recipe's Config that opts in; "float32" as the default where bfloat16 moved its
    held-out figures more than their noise (the option is still there for speed)."""
    return setting("inference: the networks' arithmetic; 'auto' = bfloat16 where the hardware has it natively (CPUs with "
                   "AVX512-BF16 or AMX, recent GPUs), else float32; 'float32' gives the same outputs on every machine", default)


def check(value: str) -> None:
    """For a Config's __post_init__: a clear error for anything but the three names."""
    if value not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}")


def native_bfloat16(device: torch.device) -> bool:
    """Whether `device` runs bfloat16 convolutions in hardware."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        supported = getattr(torch.cpu, "_is_avx512_bf16_supported", None)  # private, hence the guard
        return bool(supported and supported())
    return False


def resolve(precision: str, device: torch.device) -> torch.dtype:
    """The dtype `precision` ("auto", "float32" or "bfloat16") means on `device`."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "auto":
        return torch.bfloat16 if native_bfloat16(device) else torch.float32
    return torch.bfloat16 if precision == "bfloat16" else torch.float32


def networks_in(precision: str, device: torch.device):
    """A context in which the networks' layers run at `precision` on `device` (autocast, or nothing for float32)."""
    dtype = resolve(precision, device)
    if dtype == torch.float32 or device.type not in ("cpu", "cuda"):
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)
