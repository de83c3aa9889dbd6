"""`gantools train RECIPE --data DIR --out DIR [--RECIPE-SETTING VALUE ...]`."""

from __future__ import annotations

import os

import click

from gantools.cli.extra_options import parse_extra_options
from gantools.config import parse_assignments
from gantools.errors import UserError


@click.command(
    "train",
    short_help="Train a recipe (built-in name or a .py file) on a folder of images.",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
)
@click.argument("recipe")
@click.option("--data", "--data-a", "data", type=click.Path(), default=None,
              help="Folder of training images (class subfolders for conditional recipes); --data-a with --data-b for two-domain recipes (cyclegan).")
@click.option("--pairs", nargs=2, type=click.Path(), default=None, metavar="A B",
              help="Paired data (sketch2photo): A/x.png is the input for B/x.png, matched by name.")
@click.option("--out", type=click.Path(), required=True, help="Run folder: checkpoints, samples, metrics, the exported model.")
@click.option("--steps", type=int, default=None, help="Training steps.")
@click.option("--batch-size", type=int, default=None, help="Images per step (per process).")
@click.option("--device", default=None, help="auto, cpu, cuda, cuda:N, mps.")
@click.option("--seed", type=int, default=None, help="Random seed.")
@click.option("--config", "config_file", type=click.Path(), default=None, help="YAML file of settings.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="Override any setting; repeatable.")
@click.option("--resume", is_flag=True, help="Continue the run in --out exactly where it stopped.")
@click.option("--dry-run", is_flag=True, help="Check the data and print the resolved settings; train nothing.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def train_cmd(ctx, recipe, data, pairs, out, steps, batch_size, device, seed, config_file, assignments, resume, dry_run, quiet):
    """Train RECIPE on --data, writing checkpoints and the final model.safetensors + model.json to --out.

    Any recipe or trainer setting is also an option: --arch mlp, --conditional, --lr-g 1e-4,
    --loss hinge ... (`gantools recipes NAME` lists them). Started by torchrun, it trains data-parallel.
    """
    from gantools.train import runs

    overrides = parse_extra_options(ctx.args)
    overrides.update(parse_assignments(assignments))
    if pairs:
        from gantools.recipe import load_recipe_class

        if data:
            raise UserError("give either --data or --pairs, not both")
        cls = load_recipe_class(recipe)
        if not cls.paired_setting:
            raise UserError(f"--pairs is for recipes trained on paired images (e.g. sketch2photo); '{cls.name}' is not one")
        data, overrides[cls.paired_setting] = pairs
    for key, value in (("steps", steps), ("batch_size", batch_size), ("device", device), ("seed", seed)):
        if value is not None:
            overrides[key] = value
    if dry_run:
        import yaml

        recipe_obj, train_cfg, dataset, data = runs.prepare(recipe, data, out, overrides, config_file, resume)
        click.echo(yaml.safe_dump(runs.describe(recipe_obj, train_cfg, data, dataset), sort_keys=False), nl=False)
        return
    path = runs.train(recipe, data, out, overrides, config_file, resume, progress=not quiet)
    if int(os.environ.get("RANK", "0")) == 0:  # under torchrun, one line from rank 0 is enough
        click.echo(f"done: model in {path}")
