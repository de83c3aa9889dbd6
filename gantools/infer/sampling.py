"""Sampling from latent-noise generators: N images per class, grids, and latent interpolation strips."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from gantools.files.atomic import atomic_path, write_text
from gantools.errors import UserError
from gantools.infer.predictor import Predictor
from gantools.train.runlog import save_grid


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation: Gaussian latents keep their typical norm along the whole walk."""
    a_n, b_n = a / a.norm(dim=-1, keepdim=True), b / b.norm(dim=-1, keepdim=True)
    omega = torch.acos((a_n * b_n).sum(-1, keepdim=True).clamp(-1 + 1e-7, 1 - 1e-7))
    so = torch.sin(omega)
    return (torch.sin((1 - t) * omega) / so) * a + (torch.sin(t * omega) / so) * b


class LatentSampler(Predictor):
    """A generator driven by z ~ N(0, I) (and a class label when conditional); the generator declares its
    `z_dim` and `n_classes`, the model card the class names."""

    @property
    def z_dim(self) -> int:
        return self.generator.z_dim

    @property
    def classes(self) -> list[str]:
        return self.recipe.classes if self.generator.n_classes else []

    def class_index(self, name: str) -> int:
        if not self.classes:
            raise UserError("--class given, but this model is unconditional")
        if name not in self.classes:
            raise UserError(f"unknown class '{name}' (this model knows: {', '.join(self.classes)})")
        return self.classes.index(name)

    def onnx_graph(self):
        """The generator: z (N, z_dim) ~ N(0, I) [and class indices (N,) int64 when conditional] -> images in [-1, 1]."""
        z = torch.zeros(2, self.z_dim)
        if self.classes:
            return self.generator, (z, torch.zeros(2, dtype=torch.long)), ["z", "labels"]
        return self.generator, (z,), ["z"]

    @torch.inference_mode()
    def generate(self, z: torch.Tensor, labels: torch.Tensor | None, batch: int = 256) -> torch.Tensor:
        """Images in [-1, 1] on the CPU, computed `batch` at a time."""
        out = []
        for i in range(0, z.shape[0], batch):
            cond = (z[i : i + batch].to(self.device),)
            if self.classes:
                cond += (labels[i : i + batch].to(self.device),)
            out.append(self.recipe.generate(self.generator, cond).float().cpu())
        return torch.cat(out)


@dataclass
class SampleRequest:
    n: int = 64
    class_name: str | None = None
    grid: bool = False
    interpolate: int = 0
    seed: int = 0


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """[-1, 1] NCHW -> uint8 NHWC."""
    return ((images.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()


def save_png(pixels: np.ndarray, path: Path) -> None:
    mode_pixels = pixels[..., 0] if pixels.shape[2] == 1 else pixels
    with atomic_path(path) as tmp:
        Image.fromarray(mode_pixels).save(tmp, format="PNG")


MAX_SAMPLES = 100_000  # per class and run: the latent codes are drawn at once (a later run takes another --seed)
GRID_MOST = 1024  # an unconditional grid shows the first this many (a square of them)
CHUNK = 256  # images made and written at a time


def check_count(n: int) -> None:
    if n < 1:
        raise UserError("--n must be at least 1")
    if n > MAX_SAMPLES:
        raise UserError(f"--n is at most {MAX_SAMPLES:,} per run (got {n:,}); for more, run again with another --seed")


def sample_name(i: int) -> str:
    return f"{i:05d}.png"  # MAX_SAMPLES - 1 has five digits: the names sort in order


def write_stream(images_of, n: int, paths, keep: int) -> torch.Tensor:
    """Images made CHUNK at a time by images_of(start, stop) and written as they come (memory does not grow with n);
    the first `keep` are returned for a grid."""
    kept: list[torch.Tensor] = []
    for start in range(0, n, CHUNK):
        images = images_of(start, min(start + CHUNK, n))
        if start < keep:
            kept.append(images[: keep - start])
        for i, pix in enumerate(to_uint8(images)):
            save_png(pix, paths(start + i))
    return torch.cat(kept) if kept else torch.empty(0)


def write_samples(sampler: LatentSampler, req: SampleRequest, out_dir: Path) -> dict:
    """N images (per class, or for one class) as PNGs; optionally a grid and an interpolation strip."""
    check_count(req.n)
    if req.interpolate == 1 or req.interpolate < 0:
        raise UserError("--interpolate takes at least 2 steps")
    gen = torch.Generator().manual_seed(req.seed)
    classes = sampler.classes
    wanted = [sampler.class_index(req.class_name)] if req.class_name else list(range(len(classes)))
    written: list[str] = []
    grid_rows = []
    if classes:
        for index in wanted:
            z = torch.randn(req.n, sampler.z_dim, generator=gen)
            labels = torch.full((req.n,), index, dtype=torch.long)
            rels = [str(Path(classes[index]) / sample_name(i)) for i in range(req.n)]
            grid_rows.append(write_stream(lambda a, b: sampler.generate(z[a:b], labels[a:b]), req.n,
                                          lambda i: out_dir / rels[i], min(req.n, 16)))
            written += rels
    else:
        z = torch.randn(req.n, sampler.z_dim, generator=gen)
        written = [sample_name(i) for i in range(req.n)]
        grid_rows.append(write_stream(lambda a, b: sampler.generate(z[a:b], None), req.n,
                                      lambda i: out_dir / written[i], min(req.n, GRID_MOST)))
    report = {"images": len(written), "seed": req.seed, "classes": [classes[i] for i in wanted] if classes else []}
    if req.grid:
        # A row per class (at most 16 images each) or a square of the first GRID_MOST.
        per_row = min(req.n, 16)
        rows = [r[:per_row] for r in grid_rows] if classes else grid_rows
        save_grid(torch.cat(rows), out_dir / "grid.png", nrow=per_row if classes else max(1, int(min(req.n, GRID_MOST) ** 0.5)))
        report["grid"] = "grid.png"
    if req.interpolate:
        rows = wanted if classes else [None] * 4
        strips = []
        for index in rows:
            a, b = torch.randn(2, sampler.z_dim, generator=gen)
            t = torch.linspace(0, 1, req.interpolate).unsqueeze(1)
            z = slerp(a.expand(req.interpolate, -1), b.expand(req.interpolate, -1), t)
            labels = torch.full((req.interpolate,), index, dtype=torch.long) if index is not None else None
            strips.append(sampler.generate(z, labels))
        save_grid(torch.cat(strips), out_dir / "interpolation.png", nrow=req.interpolate)
        report["interpolation"] = "interpolation.png"
    write_text(out_dir / "samples.json", json.dumps(report, indent=2) + "\n")
    return report
