"""`gantools sample MODEL --n 64 --out DIR [--class NAME] [--grid] [--interpolate K] [--seed 0]`."""

from __future__ import annotations

from pathlib import Path

import click

from gantools.device import resolve_device
from gantools.errors import UserError


@click.command("sample", short_help="Images from a trained noise-to-image model: per class, grids, interpolations.")
@click.argument("model")
@click.option("--n", default=64, show_default=True, help="Images per class (or in all, when unconditional).")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for the images.")
@click.option("--class", "class_name", default=None, help="Only this class.")
@click.option("--grid", is_flag=True, help="Also write grid.png.")
@click.option("--interpolate", default=0, help="Also write interpolation.png: latent walks of K steps.")
@click.option("--seed", default=0, show_default=True, help="Same seed, same images.")
@click.option("--device", default="auto", show_default=True)
def sample_cmd(model, n, out, class_name, grid, interpolate, seed, device):
    """Sample from MODEL: a run folder, a model folder, a .safetensors file, or a bundled model's name."""
    from gantools.files import weights
    from gantools.infer.sampling import LatentSampler, SampleRequest, write_samples

    dev = resolve_device(device)
    loaded = weights.load(model, device=dev)
    sampler = loaded.recipe.predictor(loaded.networks, dev)
    if not isinstance(sampler, LatentSampler):
        raise UserError(f"'{model}' is a '{loaded.recipe.name}' model, which turns images into images; use `gantools {loaded.recipe.name}`")
    report = write_samples(sampler, SampleRequest(n, class_name, grid, interpolate, seed), Path(out))
    click.echo(f"wrote {report['images']} images to {out}" + ("" if not grid else f" (+ {report['grid']})")
               + ("" if not interpolate else f" (+ {report['interpolation']})"))
