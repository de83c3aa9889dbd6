"""The public split of ../shared/data/unpaired/selfie2anime for the bundled selfie2anime model (cyclegan).

Held out: the last 50 files (sorted by name) of trainA (selfies) and of trainB (anime faces); the rest is for
training. Folders of symbolic links (nothing copied); held-out.txt lists the held-out files.

    python benchmarks/selfie2anime_split.py --data ../shared/data --out DIR   # DIR/trainA, trainB, testA, testB
"""

from __future__ import annotations

import argparse
from pathlib import Path

from colorize_split import IMAGE

HELD_OUT = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    root = args.data.resolve() / "unpaired" / "selfie2anime"
    held = []
    for side in ("A", "B"):
        files = sorted(p for p in (root / f"train{side}").iterdir() if p.suffix.lower() in IMAGE)
        for name, part in ((f"train{side}", files[:-HELD_OUT]), (f"test{side}", files[-HELD_OUT:])):
            folder = args.out / name
            folder.mkdir(parents=True, exist_ok=True)
            for path in part:
                if not (folder / path.name).exists():
                    (folder / path.name).symlink_to(path)
        held += [p.relative_to(args.data.resolve()) for p in files[-HELD_OUT:]]
    (args.out / "held-out.txt").write_text("".join(f"{p}\n" for p in held))
    print(f"held out {HELD_OUT} per side: {args.out}")


if __name__ == "__main__":
    main()
