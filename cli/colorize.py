"""`gantools colorize IN OUT [--model ...]`: colour every gray (or colour) photo of a folder or a file."""

from __future__ import annotations

import click

from gantools.cli.runner_options import run_options, run_model, runner_options


@click.command("colorize", short_help="Colour gray photos: a file or a folder, tree mirrored.")
@click.argument("src", type=click.Path())
@click.argument("out", type=click.Path())
@click.option("--model", default="colorize", show_default=True, help="Bundled name, run folder, or model file.")
@click.option("--render-size", type=int, default=None, help="Shorter side at which colour is predicted (default: the model's).")
@click.option("--temperature", type=float, default=None,
              help="1 = the mean of the likely colours, lower = nearer the likeliest one (for the bundled model: more muted); default 0.6.")
@runner_options
def colorize_cmd(src, out, model, render_size, temperature, glob, suffix, ext, quality, overwrite, workers, batch_size, max_pixels, device, report_path, quiet, shard):
    """Colourise SRC (an image or a folder) into OUT, each output at its input's size."""
    run_model(model, "colorize", {"render_size": render_size, "temperature": temperature}, device, src, out,
                 run_options(glob, suffix, ext, quality, overwrite, workers, batch_size, max_pixels, quiet, shard), report_path)
