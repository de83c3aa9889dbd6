"""The public train / held-out split of ../shared/data's photos for colorize (colorize v2).

Held out: every 10th file (sorted by name, starting with the first) of photos/imagenet-1k-sample,
photos/sun-hays-80 and sr-train/BSD200. Validation (for choosing inference settings such as the
temperature; not trained on either): every 20th file starting with the sixth. The rest is for training.
With --extra, the 600 selfies of unpaired/selfie2anime/trainA and the 91 images of sr-train/T91 are added to
training only (more photos of people, flowers and fruit; validation and held-out stay the same). The folders
are written as symbolic links (nothing is copied); held-out.txt and val.txt list the files by their path under
the data.

    python benchmarks/colorize_split.py --data ../shared/data --out DIR [--extra]    # DIR/train, DIR/val, DIR/heldout, DIR/held-out.txt
"""

from __future__ import annotations

import argparse
from pathlib import Path

SOURCES = ("photos/imagenet-1k-sample", "photos/sun-hays-80", "sr-train/BSD200")
EXTRA_TRAIN = ("unpaired/selfie2anime/trainA", "sr-train/T91")  # training only: the bundled model since session 36
EVERY = 10
VAL_EVERY, VAL_FIRST = 20, 5
IMAGE = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


def images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE)


def split(data: Path, extra: bool = False) -> tuple[list[Path], list[Path], list[Path]]:
    train, val, held = [], [], []
    for source in SOURCES:
        for i, path in enumerate(images(data / source)):
            (held if i % EVERY == 0 else val if i % VAL_EVERY == VAL_FIRST else train).append(path)
    for source in EXTRA_TRAIN if extra else ():
        train += images(data / source)
    return train, val, held


def write_links(folder: Path, files: list[Path]) -> None:
    """A folder of symbolic links SOURCE__NAME to `files` (nothing copied; existing links kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        source = path.parent.name
        if source.startswith("train"):  # "trainA" says nothing alone: selfie2anime-trainA
            source = f"{path.parent.parent.name}-{source}"
        link = folder / f"{source}__{path.name}"
        if not link.exists():
            link.symlink_to(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--extra", action="store_true", help=f"also train on {' and '.join(EXTRA_TRAIN)}")
    args = parser.parse_args()
    data = args.data.resolve()
    train, val, held = split(data, args.extra)
    for name, files in (("train", train), ("val", val), ("heldout", held)):
        write_links(args.out / name, files)
    (args.out / "held-out.txt").write_text("".join(f"{p.relative_to(data)}\n" for p in held))
    (args.out / "val.txt").write_text("".join(f"{p.relative_to(data)}\n" for p in val))
    print(f"train {len(train)} photos, validation {len(val)}, held out {len(held)}: {args.out}")


if __name__ == "__main__":
    main()
