"""`gantools translate IN OUT --model M [--direction AtoB|BtoA]`: unpaired translation (cyclegan models)."""

from __future__ import annotations

import click

from gantools.cli.runner_options import precision_option, run_model, run_options, runner_options


@click.command("translate", short_help="Translate photos to another domain (selfie -> anime, horse -> zebra): a file or a folder.")
@click.argument("src", type=click.Path())
@click.argument("out", type=click.Path())
@click.option("--model", default="selfie2anime", show_default=True, help="Bundled name, run folder, or model file of a cyclegan model.")
@click.option("--direction", default=None, help="AtoB (default) or BtoA: which of the model's two generators runs.")
@click.option("--max-side", type=int, default=None, help="Translate at most this longer side; larger images are resized back (default: the model's: 1024, selfie2anime 143).")
@precision_option
@runner_options
def translate_cmd(src, out, model, direction, max_side, precision, device, report_path, **runner):
    """Translate each image of SRC (an image or a folder) into OUT at its own size, tree mirrored."""
    if direction is not None and direction not in ("AtoB", "BtoA"):
        from gantools.errors import UserError

        raise UserError(f"--direction must be AtoB or BtoA, got '{direction}'")
    run_model(model, "cyclegan", {"direction": direction, "max_side": max_side, "precision": precision}, device, src, out,
              run_options(**runner), report_path)
