"""`gantools eval RECIPE --data FOLDER [--model ...]`: score a trained model on data it never saw."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

import click

from gantools.config import to_dict


@click.command("eval", short_help="Score a model on held-out data (PSNR, SSIM, ...).",
               context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("recipe_name", metavar="RECIPE")
@click.option("--data", "--data-a", "data", required=True, type=click.Path(),
              help="Held-out images the model was not trained on (cyclegan: --data-a TEST_A/ --data-b TEST_B/).")
@click.option("--model", default=None, help="Bundled name, run folder, or model file (default: RECIPE's bundled model, e.g. colorize, superres-x4).")
@click.option("--max-side", default=1024, show_default=True, help="Images are scaled so the longer side is at most this.")
@click.option("--examples", type=click.Path(file_okay=False), default=None, help="Write input | output | truth pictures here.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), default=None, help="Also write every figure to this JSON file.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a self-contained HTML page: the figures, the per-image table, each example picture, the loss curve.")
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:N, mps.")
@click.option("--recipe", "recipe_file", type=click.Path(dir_okay=False), default=None,
              help="The recipe .py file a model of your own recipe was trained with (models never import code by themselves).")
@click.pass_context
def eval_cmd(ctx, recipe_name, data, model, max_side, examples, json_path, html_path, device, recipe_file):
    """Score RECIPE's model on a folder of held-out images: per-image rows, the means, and the checks.

    The model's inference options may follow, as for `gantools run` (e.g. colorize: --temperature 0.8), and the
    recipe's evaluation settings (e.g. superres: --degradation real --seed 0; `gantools recipes RECIPE` lists them)."""
    from gantools.cli.extra_options import parse_extra_options
    from gantools.files import weights
    from gantools.infer import options as inference_options
    from gantools.device import resolve_device
    from gantools.errors import UserError

    data_path = Path(data)
    if not data_path.is_dir():
        raise UserError(f"--data '{data}' is not a folder")
    if max_side < 16:
        raise UserError("--max-side must be at least 16")
    dev = resolve_device(device)
    from gantools.recipe import load_recipe_class

    if recipe_file is None and recipe_name.endswith(".py"):  # `gantools eval my_recipe.py`: the user named the file
        recipe_file = recipe_name
    cls = load_recipe_class(recipe_file or recipe_name)
    default = cls.bundled_default or recipe_name
    loaded = weights.load(model or default, expect_recipe=cls.name, device=dev, recipe_file=recipe_file)
    extra = parse_extra_options(ctx.args)
    settings = eval_settings(loaded.recipe, extra)
    inference_options.apply(loaded.recipe, extra)
    with contextlib.ExitStack() as stack:
        if html_path and not examples:  # the page shows the example pictures: made in a temporary folder
            examples = stack.enter_context(tempfile.TemporaryDirectory(prefix="gantools-eval-"))
        if examples:
            Path(examples).mkdir(parents=True, exist_ok=True)
        predictor = loaded.recipe.predictor(loaded.networks, dev)
        result = loaded.recipe.evaluate(predictor, data_path, max_side, Path(examples) if examples else None, settings)
        result["max_side"] = max_side  # the images were scaled to it before the model saw them
        _finish(result, loaded, settings, json_path, html_path, recipe_name, data_path, Path(examples) if examples else None)


def _finish(result, loaded, settings, json_path, html_path, recipe_name, data_path, examples) -> None:
    from gantools.files.atomic import write_text

    result["model"] = str(loaded.path)
    result["inference_options"] = {name: getattr(loaded.recipe.config, name) for name in loaded.recipe.inference_options}
    if settings is not None:
        result["eval_settings"] = to_dict(settings)
    for row in result["rows"]:
        click.echo("  ".join(f"{k} {_fmt(v)}" for k, v in row.items()))
    for item in result["skipped"]:
        click.echo(f"skipped: {item['file']}: {item['reason']}", err=True)
    click.echo(result.get("summary_prefix", f"mean over {len(result['rows'])} image(s)") + ": " + ", ".join(f"{k} {_fmt(v)}" for k, v in result["summary"].items()))
    for check, ok in result.get("checks", {}).items():
        click.echo(f"{'PASS' if ok else 'FAIL'}: {check}")
    if json_path:
        write_text(Path(json_path), json.dumps(result, indent=2) + "\n")
    if html_path:
        from gantools.cli.eval_html import eval_page

        eval_page(result, f"gantools eval {recipe_name}", data_path, examples, loaded.path).save(html_path)
        click.echo(f"html report: {html_path}")


def eval_settings(recipe, extra: dict):
    """Take the recipe's evaluation settings out of `extra` (what is left are inference options)."""
    from gantools.config import apply_overrides, field_types

    if recipe.EvalConfig is None:
        return None
    names = field_types(recipe.EvalConfig)
    given = {k: extra.pop(k) for k in list(extra) if k in names}
    return apply_overrides({"eval": recipe.EvalConfig()}, given)["eval"]


def _fmt(value) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)
