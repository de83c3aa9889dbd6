"""Trainer checkpoints: everything needed to continue exactly, written atomically, read without pickle code."""

from __future__ import annotations

from pathlib import Path

import torch

from gantools.files.atomic import atomic_path
from gantools.errors import StopError, UserError

CHECKPOINT_NAME = "checkpoint.pt"


def save(path: Path, state: dict) -> None:
    """Atomic: a failed write (a full disk) leaves the previous checkpoint whole, and stops the run in one line."""
    try:
        with atomic_path(path) as tmp:
            torch.save(state, tmp)
    except (OSError, RuntimeError) as exc:  # torch's writer reports a full disk as RuntimeError
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]
        kept = "the previous checkpoint there is intact" if path.is_file() else "no checkpoint was written"
        raise StopError(f"could not write checkpoint '{path}': {reason}; training stopped ({kept})") from None


def load(path: Path, map_location: str | torch.device = "cpu") -> dict:
    """weights_only=True: tensors, numbers, strings and containers only; a hostile file cannot run code."""
    if not path.is_file():
        raise UserError(f"no checkpoint to resume from at '{path}'")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # a truncated or foreign file: say so in one line
        raise UserError(f"checkpoint '{path}' cannot be read: {str(exc).splitlines()[0]}") from None


def upgrade(state: dict) -> dict:
    """A format-1 checkpoint (one G, one D, written before recipes named their networks) in today's layout."""
    if state.get("format", 1) >= 2:
        return state
    ema = state.get("ema")
    lecam = state.get("lecam")
    return {
        **{k: state[k] for k in ("recipe", "classes", "step", "batch_index", "world_size", "rng", "last_metrics") if k in state},
        "format": 2,
        "networks": {"G": state["G"], "D": state["D"]},
        "optimizers": {"G": state["opt_g"], "D": state["opt_d"]},
        "ema": {"G": ema} if ema is not None else {},
        "adversary": {"d_updates": {"D": state.get("d_updates", 0)}, "lecam": {"D": lecam} if lecam else {}},
        "recipe_state": {},
    }
