"""Write what an infogan digits model was trained and judged on into its model card (model.json): the data, its
terms, every held-out file (scikit-learn digits indices), the `gantools eval infogan` results of each training
seed, what each code turned out to mean, and what the model is bad at.

    python benchmarks/infogan_card.py --model RUN --holdout HOLDOUT --eval seed0=e0.json [--eval seed1=e1.json ...] \
        --meaning c1="the digit" --meaning c2="..." [--command ...] [--training-time ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from gantools.files.atomic import write_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="run or model folder holding model.json")
    parser.add_argument("--holdout", type=Path, required=True, help="the held-out class folders (gantools data digits --holdout)")
    parser.add_argument("--eval", action="append", default=[], help="SEED=eval.json, repeatable; the first is this model's")
    parser.add_argument("--meaning", action="append", default=[], help="CODE=what it turned out to mean, repeatable")
    parser.add_argument("--command", default="")
    parser.add_argument("--training-time", default="")
    args = parser.parse_args()
    card_path = args.model / "model.json"
    card = json.loads(card_path.read_text())
    held_out = sorted(int(p.stem) for p in args.holdout.rglob("*.png"))
    seeds = {}
    for item in args.eval:
        name, path = item.split("=", 1)
        report = json.loads(Path(path).read_text())
        seeds[name] = {"accuracy": round(report["summary"]["accuracy"], 4), "mapping": report["mapping"]}
    accuracies = [v["accuracy"] for v in seeds.values()]
    data = card.get("training", {}).get("data", {})
    if "root" in data:  # the machine-local path means nothing to a reader: how to make the same folder instead
        data["root"] = ("digits32 (written by: gantools data digits digits32 --size 32 --per-class 150 --holdout "
                        "digits32_holdout)")
    card["description"] = ("infoGAN on handwritten digits at 32x32, gray: c1 (10 values) and two continuous codes "
                           "were given their meaning by the model itself, without labels.")
    card["data_source"] = {
        "source": "scikit-learn's load_digits (UCI optical recognition of handwritten digits, 8x8, 16 gray levels; "
                  "CC BY 4.0), upscaled to 32x32 with bicubic interpolation",
        "training": "150 images per class (1500), labels never used",
        "held_out": f"the other {len(held_out)} digits, never trained on, used by `gantools eval infogan`",
        "held_out_indices": held_out,
    }
    card["code_meanings"] = dict(item.split("=", 1) for item in args.meaning)
    card["evaluation"] = {
        "measure": "unsupervised accuracy of c1 on the held-out digits: Q's categorical prediction, codes mapped "
                   "one-to-one to the digits by the best assignment (Hungarian)",
        "this_model": accuracies[0] if accuracies else None,
        "seeds": seeds,
        "mean_over_seeds": round(statistics.mean(accuracies), 4) if accuracies else None,
        "seeds_below_90_percent": sum(a < 0.9 for a in accuracies),
        "command": args.command,
        "training_time": args.training_time,
    }
    card["limitations"] = [
        "Digits at 32x32 drawn from 8x8 originals: blurry strokes, no fine detail; not MNIST-like handwriting.",
        "The codes' meanings are the model's own: c1's values are not in digit order (c1=k draws the digit the "
        "mapping names), and a value can mix two similar digits.",
    ]
    write_text(card_path, json.dumps(card, indent=2) + "\n")
    print(f"card written: {card_path}")


if __name__ == "__main__":
    main()
