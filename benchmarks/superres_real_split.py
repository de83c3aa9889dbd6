"""The public split of ../shared/data for the real-world super-resolution model (superres v2).

Held out: every 10th photo (sorted by name, starting with the first) of photos/imagenet-1k-sample and
photos/sun-hays-80: the same files colorize v2 holds out, so no bundled model has trained on them. The
colorize validation files (every 20th from the sixth) are left out of training too. Training: the 291-image
set (sr-train/T91 + sr-train/BSD200, which the bicubic models train on) and the other photos. Folders of
symbolic links (nothing copied); held-out.txt lists the held-out files by their path under the data.

    python benchmarks/superres_real_split.py --data ../shared/data --out DIR    # DIR/train, DIR/heldout
"""

from __future__ import annotations

import argparse
from pathlib import Path

from colorize_split import EVERY, IMAGE, VAL_EVERY, VAL_FIRST, write_links

PHOTOS = ("photos/imagenet-1k-sample", "photos/sun-hays-80")
SR_TRAIN = ("sr-train/T91", "sr-train/BSD200")


def split(data: Path) -> tuple[list[Path], list[Path]]:
    train, held = [], []
    for source in PHOTOS + SR_TRAIN:
        files = sorted(p for p in (data / source).iterdir() if p.suffix.lower() in IMAGE)
        for i, path in enumerate(files):
            if source in SR_TRAIN:
                train.append(path)
            elif i % EVERY == 0:
                held.append(path)
            elif i % VAL_EVERY != VAL_FIRST:
                train.append(path)
    return train, held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data = args.data.resolve()
    train, held = split(data)
    for name, files in (("train", train), ("heldout", held)):
        write_links(args.out / name, files)
    (args.out / "held-out.txt").write_text("".join(f"{p.relative_to(data)}\n" for p in held))
    print(f"train {len(train)} images, held out {len(held)}: {args.out}")


if __name__ == "__main__":
    main()
