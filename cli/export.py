"""`gantools export RUN [--out DIR]`: a run's latest checkpoint as a usable model, while it trains."""

from __future__ import annotations

import click


@click.command("export", short_help="Export a run's latest checkpoint as a model (works mid-run).")
@click.argument("run", type=click.Path())
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Where to write the model (default: RUN/snapshot).")
@click.option("--recipe", "recipe_file", type=click.Path(dir_okay=False), default=None,
              help="The recipe .py file a model of your own recipe was trained with (models never import code by themselves).")
def export_cmd(run, out, recipe_file):
    """Write RUN's latest checkpoint (its EMA generator when kept) as model.safetensors + model.json."""
    from gantools.train.runs import export_checkpoint

    path = export_checkpoint(run, out, recipe_file)
    click.echo(f"model written to {path}; use it with --model {path}")
