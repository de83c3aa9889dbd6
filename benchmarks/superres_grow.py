"""A deeper copy of a superres model that computes exactly what the model computes: the new residual blocks are
inserted after the trained ones with their last conv zeroed (each starts as the identity), so fine-tuning the
deeper net (`gantools train superres --init GROWN ...`) starts at the trained model's quality, not from scratch.

    python benchmarks/superres_grow.py --model superres-x4-real --blocks 24 --out runs/grown
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import torch

from gantools.files import weights


def grow(old: torch.nn.Module, new: torch.nn.Module) -> None:
    """Copy `old` into the deeper `new`: head, the trained blocks, the body's last conv, the upsampler."""
    with torch.no_grad():
        new.head.load_state_dict(old.head.state_dict())
        new.up.load_state_dict(old.up.state_dict())
        for i in range(old.blocks):
            new.body[i].load_state_dict(old.body[i].state_dict())
        new.body[new.blocks].load_state_dict(old.body[old.blocks].state_dict())
        for i in range(old.blocks, new.blocks):
            last = new.body[i].body[2]
            last.weight.zero_()
            last.bias.zero_()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="superres-x4-real")
    parser.add_argument("--blocks", type=int, required=True, help="residual blocks of the deeper net (more than the model's)")
    parser.add_argument("--overlap", type=int, default=None, help="tile overlap of the deeper net (default: its receptive radius + 1)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    loaded = weights.load(args.model, expect_recipe="superres")
    old = loaded.networks["G"]
    if args.blocks <= old.blocks:
        parser.error(f"--blocks must exceed the model's {old.blocks}")
    recipe = type(loaded.recipe)(replace(loaded.recipe.config, blocks=args.blocks), classes=[])
    new = recipe.build()["G"]
    overlap = args.overlap if args.overlap is not None else new.receptive_radius + 1
    recipe.config = replace(recipe.config, tile_overlap=overlap)
    grow(old, new)
    x = torch.rand(1, 3, 40, 48) * 2 - 1
    with torch.no_grad():
        gap = float((old(x) - new.eval()(x)).abs().max())
    assert gap < 1e-5, f"the grown net differs from the model by {gap}"
    weights.export(args.out, recipe, {"G": new}, {"grown_from": str(args.model)})
    print(f"wrote {args.out}: {old.blocks} -> {new.blocks} blocks, {sum(p.numel() for p in new.parameters())} parameters, "
          f"tile overlap {overlap}, same output (max difference {gap:.1e})")


if __name__ == "__main__":
    main()
