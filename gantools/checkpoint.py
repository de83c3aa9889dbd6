"""Trainer checkpoints: everything needed to continue exactly, written atomically, read without pickle code."""

from __future__ import annotations

from pathlib import Path

import torch

from gantools.atomic import atomic_path
from gantools.errors import UserError

CHECKPOINT_NAME = "checkpoint.pt"


def save(path: Path, state: dict) -> None:
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def load(path: Path, map_location: str | torch.device = "cpu") -> dict:
    """weights_only=True: tensors, numbers, strings and containers only; a hostile file cannot run code."""
    if not path.is_file():
        raise UserError(f"no checkpoint to resume from at '{path}'")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # a truncated or foreign file: say so in one line
        raise UserError(f"checkpoint '{path}' cannot be read: {str(exc).splitlines()[0]}") from None
