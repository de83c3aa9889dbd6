"""`gantools sketch2photo IN OUT` (drawings to photos) and `gantools sketch IN OUT` (photos to drawings)."""

from __future__ import annotations

import click

from gantools.cli.runner_options import finish, precision_option, run_options, run_model, runner_options


@click.command("sketch2photo", short_help="Turn line drawings into photos: a file or a folder, tree mirrored.")
@click.argument("src", type=click.Path())
@click.argument("out", type=click.Path())
@click.option("--model", default="sketch2photo", show_default=True, help="Bundled name, run folder, or model file.")
@click.option("--render-size", type=int, default=None, help="Longer side the drawing is drawn at (default: the model's training scale).")
@click.option("--colour-marks", is_flag=True, default=None,
              help="Dabs of colour painted on the drawing give the colour of what they sit on (spread within the drawing's lines).")
@click.option("--mark-reach", type=float, default=None,
              help="With --colour-marks: about how many pixels (of the render size) a mark's colour spreads where no line stops it (default 300).")
@click.option("--code-seed", type=int, default=None,
              help="A model trained with code_dims colours each drawing by a code from its pixels; another seed, another colouring.")
@click.option("--white-balance", type=float, default=None,
              help="Share of each photo's colour cast taken out of its midtones (white stays white), 0-1 (default: the model's).")
@click.option("--saturation", type=float, default=None, help="Chroma multiplied by this, after the white balance (default: the model's).")
@precision_option
@runner_options
def sketch2photo_cmd(src, out, model, render_size, colour_marks, mark_reach, code_seed, white_balance, saturation, precision, device,
                     report_path, **runner):
    """Turn each drawing of SRC (an image or a folder) into a photo in OUT, at the drawing's size.

    Scans and phone photos of drawings are cleaned first (paper tone, line width); a colour photo given
    as a drawing is sketched first, with a note in the report. With --colour-marks, small dabs of colour
    painted on the drawing give the colour of the region they sit in."""
    options = {"render_size": render_size, "colour_marks": colour_marks, "mark_reach": mark_reach, "code_seed": code_seed, "white_balance": white_balance, "saturation": saturation,
               "precision": precision}
    run_model(model, "sketch2photo", options, device, src, out, run_options(**runner), report_path)


@click.command("sketch", short_help="Make line drawings from photos (XDoG pencil or Canny edges).")
@click.argument("src", type=click.Path())
@click.argument("out", type=click.Path())
@click.option("--style", type=click.Choice(["xdog", "canny"]), default="xdog", show_default=True,
              help="xdog: pencil-like lines and shading; canny: thin edges only.")
@runner_options
def sketch_cmd(src, out, style, device, report_path, **runner):
    """Write a line drawing of each photo of SRC into OUT (gray, dark lines on white, same size)."""
    from gantools.infer import runner as batch
    from gantools.recipes.sketch2photo.drawing import SketchMaker

    report = batch.run(SketchMaker(style), src, out, run_options(**runner))
    finish(report, out, report_path)
