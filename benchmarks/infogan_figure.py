"""The README's infogan picture: c1 traversed (a row per value), then c2 and c3 swept over [-1.5, 1.5], side by
side, each grid made by `gantools sample` and enlarged 2x.

    python benchmarks/infogan_figure.py [--model infogan-digits] [--out assets/readme/infogan-traversals.png]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image


def sample_grid(model: str, code: str, folder: Path, extra: list[str]) -> Image.Image:
    out = folder / code
    cmd = [sys.executable, "-m", "gantools", "sample", model, "--traverse", code, "--n", "6", "--seed", "0", "--out", str(out), *extra]
    subprocess.run(cmd, check=True, capture_output=True)
    grid = Image.open(out / f"traverse_{code}.png").convert("L")
    return grid.resize((grid.width * 2, grid.height * 2), Image.NEAREST)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="infogan-digits")
    parser.add_argument("--out", type=Path, default=Path("assets/readme/infogan-traversals.png"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sweep = ["--steps", "8", "--range", "-1.5", "1.5"]
        panels = [sample_grid(args.model, "c1", Path(tmp), []), sample_grid(args.model, "c2", Path(tmp), sweep),
                  sample_grid(args.model, "c3", Path(tmp), sweep)]
    gap = 16
    figure = Image.new("L", (sum(p.width for p in panels) + gap * (len(panels) - 1), max(p.height for p in panels)), 255)
    x = 0
    for panel in panels:
        figure.paste(panel, (x, 0))
        x += panel.width + gap
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.save(args.out, optimize=True)
    print(f"wrote {args.out} ({figure.width}x{figure.height})")


if __name__ == "__main__":
    main()
