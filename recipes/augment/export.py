"""Writing a synthetic dataset: per-class counts from a balance rule, class folders named like the source
classes, PNGs written atomically, and a manifest.csv from which every image can be made again."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gantools.files.atomic import atomic_path
from gantools.errors import UserError

BALANCES = ("equal", "proportional", "fill")
MANIFEST = "manifest.csv"
MANIFEST_FIELDS = ("file", "class", "source", "seed", "model", "truncation", "origin")


def _share(n: int, weights: list[float]) -> list[int]:
    """Split n into integers in proportion to weights, summing exactly to n (largest remainders first)."""
    total = float(sum(weights))
    if total <= 0:
        weights, total = [1.0] * len(weights), float(len(weights))
    exact = [n * w / total for w in weights]
    counts = [int(np.floor(e)) for e in exact]
    for i in sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))[: n - sum(counts)]:
        counts[i] += 1
    return counts


def class_counts(real: dict[str, int], n: int, balance: str) -> dict[str, int]:
    """How many synthetic images each class gets; the counts always sum to n.

    equal: the same for every class. proportional: like the real data's class sizes. fill: first top
    every class up to the largest (smaller deficits first served in proportion when n is short), then
    share what is left equally."""
    if balance not in BALANCES:
        raise UserError(f"--balance must be one of {', '.join(BALANCES)}")
    names = sorted(real)
    if balance == "equal":
        counts = _share(n, [1.0] * len(names))
    elif balance == "proportional":
        counts = _share(n, [float(real[c]) for c in names])
    else:
        largest = max(real.values())
        deficit = [largest - real[c] for c in names]
        if n <= sum(deficit):
            counts = _share(n, [float(d) for d in deficit])
        else:
            counts = [d + e for d, e in zip(deficit, _share(n - sum(deficit), [1.0] * len(names)))]
    return dict(zip(names, counts))


def check_out_folder(out: Path, overwrite: bool) -> None:
    """Refuse a folder that already holds files unless --overwrite; even then only our own files are replaced."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out '{out}' exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise UserError(f"--out '{out}' already holds files; choose an empty folder, or add --overwrite "
                        "(files of the same name are replaced, nothing else is deleted)")


@dataclass
class Row:
    file: str
    cls: str
    source: str
    seed: int
    model: str
    truncation: float | None
    origin: str = ""  # the real image a classic augmentation was made from


class SynthWriter:
    """Images into OUT/CLASS/NAME.png, atomically; the manifest is written (atomically) at the end."""

    def __init__(self, out: Path):
        self.out, self.rows = out, []

    def write(self, image: np.ndarray, cls: str, index: int, row: Row) -> None:
        from PIL import Image

        rel = f"{cls}/{row.source}_{index:06d}.png"
        buf = io.BytesIO()
        Image.fromarray(image).save(buf, format="PNG")
        with atomic_path(self.out / rel) as tmp:
            tmp.write_bytes(buf.getvalue())
        row.file = rel
        self.rows.append(row)

    def close(self) -> Path:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(MANIFEST_FIELDS)
        for r in self.rows:
            w.writerow([r.file, r.cls, r.source, r.seed, r.model, "" if r.truncation is None else f"{r.truncation:g}", r.origin])
        path = self.out / MANIFEST
        with atomic_path(path) as tmp:
            tmp.write_text(buf.getvalue(), encoding="utf-8")
        return path
