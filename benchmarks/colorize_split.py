"""The public train / held-out split of ../shared/data's photos for colorize (colorize v2).

Held out: every 10th file (sorted by name, starting with the first) of photos/imagenet-1k-sample,
photos/sun-hays-80 and sr-train/BSD200. Validation (for choosing inference settings such as the
temperature; not trained on either): every 20th file starting with the sixth. The rest is for training.
The folders are written as symbolic links (nothing is copied); held-out.txt and val.txt list the files by
their path under the data.

    python benchmarks/colorize_split.py --data ../shared/data --out DIR    # DIR/train, DIR/val, DIR/heldout, DIR/held-out.txt
"""

from __future__ import annotations

import argparse
from pathlib import Path

SOURCES = ("photos/imagenet-1k-sample", "photos/sun-hays-80", "sr-train/BSD200")
EVERY = 10
VAL_EVERY, VAL_FIRST = 20, 5
IMAGE = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


def split(data: Path) -> tuple[list[Path], list[Path], list[Path]]:
    train, val, held = [], [], []
    for source in SOURCES:
        files = sorted(p for p in (data / source).iterdir() if p.suffix.lower() in IMAGE)
        for i, path in enumerate(files):
            (held if i % EVERY == 0 else val if i % VAL_EVERY == VAL_FIRST else train).append(path)
    return train, val, held


def write_links(folder: Path, files: list[Path]) -> None:
    """A folder of symbolic links SOURCE__NAME to `files` (nothing copied; existing links kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        link = folder / f"{path.parent.name}__{path.name}"
        if not link.exists():
            link.symlink_to(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data = args.data.resolve()
    train, val, held = split(data)
    for name, files in (("train", train), ("val", val), ("heldout", held)):
        write_links(args.out / name, files)
    (args.out / "held-out.txt").write_text("".join(f"{p.relative_to(data)}\n" for p in held))
    (args.out / "val.txt").write_text("".join(f"{p.relative_to(data)}\n" for p in val))
    print(f"train {len(train)} photos, validation {len(val)}, held out {len(held)}: {args.out}")


if __name__ == "__main__":
    main()
