"""`gantools colorize IN OUT [--model ...]`: colour every gray (or colour) photo of a folder or a file."""

from __future__ import annotations

import click

from gantools.cli.runner_options import precision_option, run_options, run_model, runner_options


@click.command("colorize", short_help="Colour gray photos: a file or a folder, tree mirrored.")
@click.argument("src", type=click.Path())
@click.argument("out", type=click.Path())
@click.option("--model", default="colorize", show_default=True, help="Bundled name, run folder, or model file.")
@click.option("--render-size", type=int, default=None, help="Shorter side at which colour is predicted (default: the model's).")
@click.option("--temperature", type=float, default=None,
              help="1 = the mean of the likely colours, lower = nearer the likeliest one (for the bundled model: more muted); default 0.6.")
@click.option("--saturation", type=float, default=None,
              help="Multiply the predicted colour's chroma: 0 = gray, 1 = as predicted, higher = bolder and less often right (bundled model: 1.2).")
@click.option("--video-smoothing", type=float, default=None,
              help="Videos: how much a still pixel keeps its past colour, 0-0.99 (0 = each frame on its own; default 0.8). Resets at scene cuts.")
@click.option("--size-multiple", type=int, default=None,
              help="Pad the working image to a multiple of this (32, 64, 128...; default: the model's); fewer distinct sizes keep memory flat over long batches.")
@precision_option
@runner_options
def colorize_cmd(src, out, model, render_size, temperature, saturation, video_smoothing, size_multiple, precision, device, report_path, **runner):
    """Colourise SRC (an image, a video or a folder) into OUT, each output at its input's size."""
    options = {"render_size": render_size, "temperature": temperature, "saturation": saturation, "video_smoothing": video_smoothing,
               "size_multiple": size_multiple, "precision": precision}
    run_model(model, "colorize", options, device, src, out, run_options(**runner), report_path)
