"""`gantools upscale IN OUT [--scale 4] [--model psnr|gan|real|PATH]`: super-resolve a file or a folder."""

from __future__ import annotations

import click

from gantools.cli.runner_options import precision_option, run_options, runner_options


@click.command("upscale", short_help="Super-resolve photos x2 or x4: a file or a folder, any size, tiled.")
@click.argument("src", type=click.Path())
@click.argument("out", type=click.Path())
@click.option("--scale", type=int, default=None, help="2 or 4 (default: 4, or the given model's).")
@click.option("--model", default="psnr", show_default=True,
              help="psnr (faithful, for clean images), gan (crisper texture), real (phone and web JPEGs: removes noise, blur and "
                   "JPEG blocks as it upscales), or a run folder / model file.")
@click.option("--tile", type=int, default=None, help="Input tile side in pixels; memory is set by it (default: the model's, 384; 0 = no tiling).")
@click.option("--tile-overlap", type=int, default=None, help="Context pixels around each tile, cut off after the forward (default: the model's, 36).")
@precision_option
@runner_options
def upscale_cmd(src, out, scale, model, tile, tile_overlap, precision, device, report_path, **runner):
    """Upscale SRC (an image or a folder) into OUT at SCALE x each input's size."""
    from gantools.cli.runner_options import run_model
    from gantools.errors import UserError
    from gantools.files import weights
    from gantools.infer.bundled_upscalers import KINDS, bundled_model

    if model in KINDS:
        model = bundled_model(scale or 4, model, "--scale")
    if scale is not None:  # the card says the scale: no need to build the model twice
        card = weights.read_card(weights.resolve(model))
        trained = card["config"].get("scale") if card["recipe"] == "superres" else None
        if trained is not None and scale != trained:
            raise UserError(f"model '{model}' upscales x{trained}, not x{scale}; leave out --scale or pick a x{scale} model")
    run_model(model, "superres", {"tile": tile, "tile_overlap": tile_overlap, "precision": precision}, device, src, out,
              run_options(**runner), report_path)
