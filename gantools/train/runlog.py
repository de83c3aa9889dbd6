"""What a run leaves for people to read: metrics.jsonl, sample grids, the loss curve."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch

from gantools.files.atomic import atomic_path
from gantools.files.imageio import Decoded
from gantools.files.imagewrite import write


class MetricsLog:
    """Appends one JSON object per line; a resumed run drops lines past its checkpoint so the log stays true."""

    def __init__(self, path: Path, resume_step: int | None = None):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume_step is not None and path.exists():
            kept = [line for line in path.read_text().splitlines() if line.strip() and json.loads(line).get("step", 0) <= resume_step]
            path.write_text("".join(line + "\n" for line in kept))
        elif path.exists():
            path.unlink()

    def write(self, record: dict) -> None:
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


def read_metrics(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def save_grid(images: torch.Tensor, path: Path, nrow: int | None = None) -> None:
    """Images in [-1, 1], NCHW, as one PNG grid."""
    from torchvision.utils import make_grid, save_image  # here: importing torchvision costs every command ~2 s

    nrow = nrow or max(1, int(math.sqrt(images.shape[0])))
    grid = make_grid(images.detach().float().cpu(), nrow=nrow, normalize=True, value_range=(-1, 1), padding=2)
    with atomic_path(path) as tmp:
        save_image(grid, tmp, format="png")


def save_strip(images: list[np.ndarray], path: Path, quality: int = 92) -> None:
    """Same-height uint8 HWC RGB pictures side by side (e.g. input | output | truth), written atomically."""
    from torchvision.utils import make_grid

    strip = make_grid([torch.from_numpy(np.array(a.transpose(2, 0, 1))) for a in images], nrow=len(images), padding=4, pad_value=255)
    write(Decoded(strip.numpy().transpose(1, 2, 0)), path, quality)


def plot_losses(metrics_path: Path, out: Path) -> None:
    """Every loss-like series of metrics.jsonl against the step, one PNG."""
    import matplotlib.pyplot as plt

    from gantools.files.html_page import loss_figure

    fig = loss_figure(read_metrics(metrics_path))
    if fig is None:
        return
    fig.axes[0].set_title("training losses")
    fig.tight_layout()
    with atomic_path(out) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
