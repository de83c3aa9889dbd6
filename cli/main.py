"""Entry point: `gantools COMMAND ...`."""

from __future__ import annotations

import logging

import click

import gantools
from gantools.cli.augment import augment_cmd
from gantools.cli.colorize import colorize_cmd
from gantools.cli.errors import Group
from gantools.cli.eval import eval_cmd
from gantools.cli.export import export_cmd
from gantools.cli.info import data_cmd, info_cmd, recipes_cmd
from gantools.cli.report import report_cmd
from gantools.cli.run import run_cmd
from gantools.cli.sample import sample_cmd
from gantools.cli.serve import serve_cmd
from gantools.cli.sketch2photo import sketch2photo_cmd, sketch_cmd
from gantools.cli.train import train_cmd
from gantools.cli.translate import translate_cmd
from gantools.cli.upscale import upscale_cmd


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(gantools.__version__, prog_name="gantools")
def main() -> None:
    """gantools: GANs put to work on images. Train a recipe, then run it over folders."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


main.add_command(info_cmd)
main.add_command(recipes_cmd)
main.add_command(train_cmd)
main.add_command(sample_cmd)
main.add_command(data_cmd)
main.add_command(run_cmd)
main.add_command(colorize_cmd)
main.add_command(eval_cmd)
main.add_command(export_cmd)
main.add_command(upscale_cmd)
main.add_command(sketch2photo_cmd)
main.add_command(sketch_cmd)
main.add_command(translate_cmd)
main.add_command(augment_cmd)
main.add_command(report_cmd)
main.add_command(serve_cmd)
