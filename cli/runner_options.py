"""The folder-runner options every inference command shares, and how a run's result ends the command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gantools.defaults import DEFAULT_CRF, DEFAULT_MAX_PIXELS, REPORT_NAME
from gantools.errors import UserError
from gantools.infer.run_options import RunOptions, require_input

if TYPE_CHECKING:
    from gantools.infer.runner import Report

# The runner (and torch with it) is imported where a command runs, not here: `--help` and a usage error stay quick.


# The networks' arithmetic, for the commands whose recipes opt in (gantools.infer.precision)
precision_option = click.option(
    "--precision", type=click.Choice(["auto", "float32", "bfloat16"]), default=None,
    help="The networks' arithmetic: auto = bfloat16 where the CPU or GPU has it natively (faster, same held-out figures), "
         "float32 = the same output on every machine (default: the model's).")


def runner_options(f):
    options = [
        click.option("--glob", default=None, help="Only inputs whose relative path or name matches, e.g. '*.jpg'."),
        click.option("--suffix", default="", help="Added to each output name before the extension."),
        click.option("--ext", default="same", show_default=True, help="Output format: same, png, jpg, webp, tif."),
        click.option("--quality", default=95, show_default=True, help="JPEG/WebP quality."),
        click.option("--overwrite", is_flag=True, help="Redo outputs that already exist (default: skip them)."),
        click.option("--workers", default=2, show_default=True, help="Threads decoding and encoding around the model."),
        click.option("--batch-size", default=4, show_default=True, help="Same-size images run through the model together."),
        click.option("--max-pixels", default=DEFAULT_MAX_PIXELS, show_default=True, help="Refuse larger images (decompression bombs)."),
        click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:N, mps."),
        click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None, callback=_check_report,
                     help=f"Where to write the JSON report (default: OUT/{REPORT_NAME})."),
        click.option("--quiet", is_flag=True, help="No progress bar."),
        click.option("--codec", default=None, help="Video outputs: FFmpeg encoder (default libx264; libvpx-vp9 for .webm)."),
        click.option("--crf", default=DEFAULT_CRF, show_default=True, type=int,
                     help="Video outputs: constant rate factor (lower = better quality, bigger file)."),
        click.option("--shard", default=None, metavar="K/N",
                     help="Take the K-th of N disjoint parts of the inputs (by path hash): N machines or processes, one output tree; "
                          "then `gantools report merge OUT`."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _check_report(ctx, param, value: str | None) -> str | None:
    """Before any work: a report that could not be written would be found missing only at the end."""
    if value is None:
        return None
    folder = Path(value).absolute().parent
    while not folder.exists() and folder != folder.parent:  # folders still to be made: their nearest existing one decides
        folder = folder.parent
    if not folder.is_dir():
        raise UserError(f"--report '{value}': '{folder}' is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"--report '{value}': '{folder}' cannot be written to")
    return value


def run_model(model: str, expect_recipe: str | None, options: dict, device: str, src, out, run_opts: RunOptions,
              report_path, recipe_file: str | None = None) -> None:
    """Load a model, apply its recipe's inference options, run the folder through its predictor, end the command."""
    require_input(Path(src))  # before torch and the model load: a mistyped path is said at once
    from gantools.device import resolve_device
    from gantools.files import weights
    from gantools.infer import options as inference_options
    from gantools.infer import runner

    dev = resolve_device(device)
    loaded = weights.load(model, expect_recipe=expect_recipe, device=dev, recipe_file=recipe_file)
    inference_options.apply(loaded.recipe, options)
    finish(runner.run(loaded.recipe.predictor(loaded.networks, dev), src, out, run_opts), out, report_path)


def run_options(glob, suffix, ext, quality, overwrite, workers, batch_size, max_pixels, quiet, shard=None, codec=None,
                crf=DEFAULT_CRF) -> RunOptions:
    """RunOptions from the runner options' values (the commands pass them on as **runner)."""
    if workers < 1 or batch_size < 1:
        raise UserError("--workers and --batch-size must be at least 1")
    if not 0 <= crf <= 63:
        raise UserError(f"--crf must be between 0 and 63, got {crf}")
    if not 1 <= quality <= 100:
        raise UserError(f"--quality must be between 1 and 100, got {quality}")
    if any(c in suffix for c in "/\\\0"):
        raise UserError(f"--suffix is added to file names, so it cannot hold '/', '\\' or NUL (got '{suffix}')")
    if max_pixels < 1:
        raise UserError(f"--max-pixels must be at least 1, got {max_pixels}")
    return RunOptions(glob=glob, suffix=suffix, ext=ext.lower().lstrip("."), quality=quality, overwrite=overwrite, workers=workers,
                      batch_size=batch_size, max_pixels=max_pixels, progress=not quiet, shard=parse_shard(shard),
                      codec=codec, crf=crf)


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    k, sep, n = text.partition("/")
    try:
        shard = (int(k), int(n))
    except ValueError:
        shard = (0, 0)
    if not sep or not 1 <= shard[0] <= shard[1]:
        raise UserError(f"--shard wants K/N with 1 <= K <= N (e.g. 2/4), got '{text}'")
    return shard


def finish(report: Report, out: str, report_path: str | None) -> None:
    """Print the summary and failures; exit 0 when all succeeded, 1 when some failed, the batch stopped or the
    report could not be written (a script reading it would find it missing)."""
    from gantools.infer.runner import report_name, save_report

    path = Path(report_path) if report_path else Path(out) / report_name(parse_shard(report.shard))
    for failure in report.failed:
        click.echo(f"failed: {failure['file']}: {failure['reason']}", err=True)
    if report.stopped:
        click.echo(f"stopped: {report.stopped}", err=True)
    try:
        save_report(report, path)
    except OSError as exc:
        click.echo(report.summary())
        click.echo(f"error: the report could not be written to {path}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    click.echo(f"{report.summary()}; report: {path}")
    sys.exit(1 if report.failed or report.stopped else 0)
