"""Write what a superres model was trained and judged on into its model card (model.json): the training files by
source folder (those the trainer skipped, with why), their terms, held-out files, and `gantools eval superres` JSONs.

    python benchmarks/superres_card.py --model RUN --train DIR --eval Set5=s5.json --eval Set14=s14.json \
        [--eval real-heldout=r.json --held-out DIR/held-out.txt] [--command ...] [--training-time ...] [--init NAME]

DIR is a folder of symbolic links to ../shared/data files (benchmarks/superres_real_split.py writes one; for the
291-image set, links to every file of sr-train/T91 and sr-train/BSD200).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from colorize_card import TERMS, sources_of

from gantools.files.atomic import write_text

TERMS = {**TERMS, "sr-train/T91": "Yang et al.'s 91 training images: research data (dcscn-super-resolution repository)"}
LIMITATIONS = {
    "bicubic": [
        "Trained on clean inputs made by bicubic downscaling (the benchmark setting): JPEG blocks, noise and blur in the "
        "input are sharpened along with the picture. For phone and web photos use --model real.",
        "PSNR-oriented: fine texture (grass, hair, fabric) comes out smooth rather than invented.",
    ],
    "real": [
        "Trained to remove blur, noise, over-sharpening halos and JPEG blocks of the strengths in degrade.py: stronger "
        "damage is only partly removed; clean inputs come out a little softer than with --model psnr.",
        "PSNR-oriented (L1): texture lost to the damage is not invented, so results look clean but soft.",
    ],
    "gan": [
        "Fine-tuned with an adversarial and a perceptual (ImageNet InceptionV3) term for texture: grass, hair and fabric "
        "get plausible detail that is invented, not recovered. Do not use it where faithfulness matters (documents, "
        "evidence, measurements): use --model psnr.",
        "Trained on clean bicubic-downscaled inputs like the PSNR model: JPEG blocks and noise are sharpened into texture.",
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="run or model folder holding model.json")
    parser.add_argument("--train", type=Path, required=True, help="the folder of links the model was trained on")
    parser.add_argument("--eval", action="append", default=[], help="NAME=eval.json, repeatable")
    parser.add_argument("--held-out", type=Path, default=None, help="held-out.txt of the split (files never trained on)")
    parser.add_argument("--command", default="")
    parser.add_argument("--training-time", default="")
    parser.add_argument("--init", default="", help="the model training started from, if any")
    args = parser.parse_args()
    card_path = args.model / "model.json"
    card = json.loads(card_path.read_text())
    skipped = {Path(s["file"]).name: s["reason"] for s in card.get("training", {}).get("data", {}).get("skipped_files", [])}
    links = {Path(link.resolve()).name: link.name for link in args.train.iterdir()}
    by_source = sources_of(args.train)
    card["data_source"] = {
        "sources": [{"folder": src, "files": len(names), "terms": TERMS.get(src, "see ../shared/data/README.md")}
                    for src, names in sorted(by_source.items())],
        "training_files": [f"{s}/{n}" for s, names in by_source.items() for n in names if links.get(n, n) not in skipped],
        "skipped_files": [{"file": f"{s}/{n}", "reason": skipped[links.get(n, n)]}
                          for s, names in by_source.items() for n in names if links.get(n, n) in skipped],
        "never_used_in_training": "Set5 and Set14 (../shared/data/sr), the evaluation sets",
    }
    if args.held_out:
        card["data_source"]["held_out_files"] = args.held_out.read_text().split()
    if args.init:
        card["data_source"]["started_from"] = args.init
    evaluation = {}
    for item in args.eval:
        name, _, path = item.partition("=")
        result = json.loads(Path(path).read_text())
        evaluation[name] = {"summary": result["summary"], "images": len(result["rows"]),
                            "eval_settings": result.get("eval_settings", {})}
    card["evaluation"] = {**evaluation, "command": "gantools eval superres --data SET --model THIS [--degradation real --seed 0] "
                                                   "(PSNR/SSIM on Y, border crop = scale)"}
    if args.training_time:
        card.setdefault("training", {})["time"] = args.training_time
    if args.command:
        card.setdefault("training", {})["command"] = args.command
    training = card.get("training", {})
    adversarial = training.get("steps", 0) > training.get("pretrain_steps", 0)  # steps past pre-training are the GAN's
    card["limitations"] = LIMITATIONS["gan" if adversarial else card["config"]["degradation"]]
    write_text(card_path, json.dumps(card, indent=2, default=str) + "\n")
    print(f"wrote {card_path}")


if __name__ == "__main__":
    main()
