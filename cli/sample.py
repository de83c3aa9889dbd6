"""`gantools sample MODEL --n 64 --out DIR [--class NAME] [--grid] [--interpolate K] [--traverse c1] [--code c2=1] [--seed 0]`."""

from __future__ import annotations

from pathlib import Path

import click

from gantools.errors import UserError


@click.command("sample", short_help="Images from a trained noise-to-image model: per class, grids, interpolations.")
@click.argument("model")
@click.option("--n", default=64, show_default=True, help="Images per class (or in all, when unconditional).")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for the images.")
@click.option("--class", "class_name", default=None, help="Only this class.")
@click.option("--grid", is_flag=True, help="Also write grid.png.")
@click.option("--interpolate", default=0, help="Also write interpolation.png: latent walks of K steps.")
@click.option("--traverse", default=None, metavar="CODE", help="infogan: a grid sweeping one code (c1: a row per value; c2...: --range).")
@click.option("--range", "span", nargs=2, type=float, default=(-1.0, 1.0), show_default=True, metavar="LO HI",
              help="infogan: the span a continuous code is swept over (trained on -1..1; at most -3..3).")
@click.option("--steps", default=9, show_default=True, help="infogan: columns of a continuous traversal.")
@click.option("--code", "codes", multiple=True, metavar="NAME=VALUE", help="infogan: hold a code at a value (c1=3, c2=1.5); repeatable.")
@click.option("--seed", default=0, show_default=True, help="Same seed, same images.")
@click.option("--device", default="auto", show_default=True)
@click.option("--recipe", "recipe_file", type=click.Path(dir_okay=False), default=None,
              help="The recipe .py file a model of your own recipe was trained with (models never import code by themselves).")
def sample_cmd(model, n, out, class_name, grid, interpolate, traverse, span, steps, codes, seed, device, recipe_file):
    """Sample from MODEL: a run folder, a model folder, a .safetensors file, or a bundled model's name."""
    from gantools.device import resolve_device
    from gantools.files import weights
    from gantools.infer.sampling import LatentSampler, SampleRequest, write_samples

    dev = resolve_device(device)
    loaded = weights.load(model, device=dev, recipe_file=recipe_file)
    sampler = loaded.recipe.predictor(loaded.networks, dev)
    if not isinstance(sampler, LatentSampler):
        raise UserError(f"'{model}' is a '{loaded.recipe.name}' model, which turns images into images; use `gantools {loaded.recipe.name}`")
    if traverse or codes:
        from gantools.infer.codes import write_code_samples

        report = write_code_samples(sampler, n, Path(out), traverse, tuple(span), steps, list(codes), grid, seed)
        click.echo(f"wrote {report['images']} images to {out}" + (f" ({report['grid']})" if "grid" in report else ""))
        return
    report = write_samples(sampler, SampleRequest(n, class_name, grid, interpolate, seed), Path(out))
    click.echo(f"wrote {report['images']} images to {out}" + ("" if not grid else f" (+ {report['grid']})")
               + ("" if not interpolate else f" (+ {report['interpolation']})"))
