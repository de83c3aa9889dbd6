"""The public train / held-out split of ../shared/data's photos for colorize (colorize v2).

Held out: every 10th file (sorted by name, starting with the first) of photos/imagenet-1k-sample,
photos/sun-hays-80 and sr-train/BSD200; the rest is for training. The two folders are written as
symbolic links (nothing is copied), and held-out.txt lists the held-out files by their path under the data.

    python benchmarks/colorize_split.py --data ../shared/data --out DIR    # DIR/train, DIR/heldout, DIR/held-out.txt
"""

from __future__ import annotations

import argparse
from pathlib import Path

SOURCES = ("photos/imagenet-1k-sample", "photos/sun-hays-80", "sr-train/BSD200")
EVERY = 10
IMAGE = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


def split(data: Path) -> tuple[list[Path], list[Path]]:
    train, held = [], []
    for source in SOURCES:
        files = sorted(p for p in (data / source).iterdir() if p.suffix.lower() in IMAGE)
        for i, path in enumerate(files):
            (held if i % EVERY == 0 else train).append(path)
    return train, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data = args.data.resolve()
    train, held = split(data)
    for name, files in (("train", train), ("heldout", held)):
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        for path in files:
            link = folder / f"{path.parent.name}__{path.name}"
            if not link.exists():
                link.symlink_to(path)
    (args.out / "held-out.txt").write_text("".join(f"{p.relative_to(data)}\n" for p in held))
    print(f"train {len(train)} photos, held out {len(held)}: {args.out}")


if __name__ == "__main__":
    main()
