"""`gantools run MODEL IN OUT [--OPTION VALUE ...]`: any model whose recipe has a predictor, over a file or folder."""

from __future__ import annotations

import click

from gantools.cli.extra_options import parse_extra_options
from gantools.cli.runner_options import run_model, run_options, runner_options


@click.command("run", short_help="Run any trained model (bundled name, run folder, model file) over a file or a folder.",
               context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("model")
@click.argument("src", type=click.Path())
@click.argument("out", type=click.Path())
@click.option("--recipe", "recipe_file", type=click.Path(dir_okay=False), default=None,
              help="The recipe .py file a model of your own recipe was trained with (models never import code by themselves).")
@runner_options
@click.pass_context
def run_cmd(ctx, model, src, out, recipe_file, device, report_path, **runner):
    """Run MODEL over SRC (an image or a folder) into OUT, the tree mirrored, through the shared runner.

    The model's recipe says which inference options it takes (colorize: --render-size, --temperature; sketch2photo: --render-size;
    superres: --tile, --tile-overlap; your own recipe: its inference_options); `gantools recipes NAME` lists
    them. A model of your own recipe needs its file: --recipe my_recipe.py.
    """
    run_model(model, None, parse_extra_options(ctx.args), device, src, out,
              run_options(**runner), report_path, recipe_file)
