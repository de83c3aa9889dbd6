"""A training run end to end: run folder checks, config resolution, resume, training, export."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any, Callable

import yaml

from gantools.train import distributed

from gantools.train import provenance

from gantools.files import weights
from gantools.files.atomic import write_text
from gantools.train.checkpoint import CHECKPOINT_NAME
from gantools.config import apply_overrides, read_yaml, to_dict
from gantools.errors import UserError
from gantools.data.folders import ImageData
from gantools.recipe import Recipe, load_recipe_class, recipe_train_config
from gantools.train.trainer import Trainer

CONFIG_NAME = "config.yaml"
PRETRAINED_NAME = "pretrained"  # subfolder: the model as it was when pre-training ended


def resolve_configs(cls: type[Recipe], saved: dict | None, config_file: str | None, overrides: dict[str, Any]) -> dict:
    """Defaults < recipe preferences < saved run config (resume) < YAML file < command-line settings."""
    configs = {"recipe": cls.Config(), "train": recipe_train_config(cls)}
    if saved:
        configs = apply_overrides(configs, {"recipe": saved.get("recipe_config", {}), "train": saved.get("train", {})})
    if config_file:
        configs = apply_overrides(configs, read_yaml(config_file))
    return apply_overrides(configs, overrides)


def prepare(recipe_ref: str, data: str | None, out: str | Path, overrides: dict[str, Any],
            config_file: str | None = None, resume: bool = False):
    """Check the run folder and inputs, resolve settings and data; writes nothing."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out '{out}' exists and is not a folder")
    saved = None
    if resume:
        if not (out / CHECKPOINT_NAME).is_file():
            raise UserError(f"nothing to resume: no {CHECKPOINT_NAME} in '{out}'")
        saved = read_yaml(out / CONFIG_NAME)
    elif (out / CHECKPOINT_NAME).exists():
        raise UserError(f"'{out}' already holds a run; add --resume to continue it, or choose another --out")
    cls = load_recipe_class(recipe_ref)
    if saved and saved.get("recipe") != cls.name:
        raise UserError(f"'{out}' holds a '{saved.get('recipe')}' run, not a '{cls.name}' one")
    data = data or (saved or {}).get("data")
    if not data:
        raise UserError("--data is required: a folder of training images")
    configs = resolve_configs(cls, saved, config_file, overrides)
    recipe = cls(configs["recipe"])
    dataset = recipe.dataset(data)
    if saved and list(saved.get("classes", [])) != list(recipe.classes):
        raise UserError(f"the data's classes {recipe.classes} differ from the run's {saved.get('classes')}")
    return recipe, configs["train"], dataset, str(data)


def data_summary(dataset) -> dict:
    """What the dataset held (images, skipped, classes), for the log and the model card."""
    return dataset.listing.summary() if isinstance(dataset, ImageData) and dataset.listing is not None else {}


def describe(recipe: Recipe, train_cfg, data: str, dataset) -> dict:
    return {
        "recipe": recipe.name,
        "recipe_source": getattr(type(recipe), "source_path", None),
        "data": str(Path(data).resolve()),
        "classes": list(recipe.classes),
        "data_summary": data_summary(dataset),
        "recipe_config": to_dict(recipe.config),
        "train": to_dict(train_cfg),
    }


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def training_card(train_cfg, data_summary: dict | None, steps: int, processes: int, metrics: dict) -> dict:
    """What model.json says about how a generator was trained."""
    return {
        "training": {
            "data": data_summary,
            "steps": steps,
            "pretrain_steps": train_cfg.pretrain_steps,
            "init": train_cfg.init or None,
            **({"init_partial": True} if train_cfg.init and train_cfg.init_partial else {}),
            "batch_size": train_cfg.batch_size,
            "processes": processes,
            "loss": train_cfg.loss if steps > train_cfg.pretrain_steps else "none (reconstruction only)",
            "ema": train_cfg.ema_decay,
            "seed": train_cfg.seed,
        },
        "metrics": metrics,
    }


def train(recipe_ref: str, data: str | None, out: str | Path, overrides: dict[str, Any],
          config_file: str | None = None, resume: bool = False, progress: bool = True,
          say: Callable[[str], None] = _say) -> Path:
    """Train, checkpointing into `out`, and export model.safetensors + model.json there at the end."""
    out = Path(out)
    recipe, train_cfg, dataset, data = prepare(recipe_ref, data, out, overrides, config_file, resume)
    trainer = Trainer(recipe, train_cfg, dataset, out, resume=resume, progress=progress, say=say)
    listing = dataset.listing if isinstance(dataset, ImageData) else None
    if trainer.is_main and trainer.init_skipped:
        say(f"--init {train_cfg.init}: left random (no tensor of that name and shape): {', '.join(trainer.init_skipped)}")
    if trainer.is_main and listing is not None:
        say(listing.describe())
        provenance.record_listing(out, listing)  # a later report can prove its held-out images unseen
    resolved = describe(recipe, train_cfg, data, dataset)
    resolved["world_size"] = trainer.dist.world_size
    if trainer.is_main:
        write_text(out / CONFIG_NAME, yaml.safe_dump(resolved, sort_keys=False))

    def card_for(steps: int, metrics: dict) -> dict:
        card = training_card(train_cfg, resolved["data_summary"], steps, trainer.dist.world_size, metrics)
        if trainer.health.warnings:  # the run's own words on how it went wrong, for whoever uses the model
            card["training"]["warnings"] = list(trainer.health.warnings)
        return card

    # The reconstruction-only model at the end of pre-training (e.g. PSNR-oriented super-resolution).
    trainer.on_pretrained = lambda nets, step: weights.export(out / PRETRAINED_NAME, recipe, nets, card_for(step, trainer.last_metrics))
    try:
        result = trainer.fit()
        if trainer.is_main:
            final = copy.deepcopy(result.networks)  # the run's own EMA networks stay as trained, for --resume
            recipe.finalize(final)
            weights.export(out, recipe, final, card_for(result.step, result.last_metrics))
        distributed.barrier(trainer.dist)
    finally:
        distributed.shutdown(trainer.dist)
    return out


def export_checkpoint(run_dir: str | Path, out: str | Path | None = None, recipe_file: str | Path | None = None) -> Path:
    """The latest checkpoint's exported networks (EMA where kept) as model.safetensors + model.json, without
    stopping the run: a run in progress can be sampled and evaluated. Default out: RUN/snapshot."""
    from gantools.train import checkpoint

    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_NAME).is_file() or not (run_dir / CHECKPOINT_NAME).is_file():
        raise UserError(f"'{run_dir}' is not a run folder with a checkpoint ({CONFIG_NAME} and {CHECKPOINT_NAME})")
    saved = read_yaml(run_dir / CONFIG_NAME)
    if saved.get("recipe_source") and recipe_file is None:
        raise UserError(f"'{run_dir}' was trained with the recipe file '{saved['recipe_source']}'; a run folder never "
                        f"imports code by itself: pass the file with --recipe {saved['recipe_source']}")
    cls = load_recipe_class(str(recipe_file) if recipe_file is not None else saved["recipe"])
    if cls.name != saved["recipe"]:
        raise UserError(f"--recipe '{recipe_file}' defines recipe '{cls.name}', but '{run_dir}' is a '{saved['recipe']}' run")
    configs = resolve_configs(cls, saved, None, {})
    recipe = cls(configs["recipe"], classes=saved.get("classes") or [])
    state = checkpoint.upgrade(checkpoint.load(run_dir / CHECKPOINT_NAME))
    recipe.load_state_dict(state.get("recipe_state", {}))  # what the recipe recorded while training (its card may say it)
    built = recipe.build()
    networks = {}
    for name in recipe.export_networks:
        ema = state["ema"].get(name)
        built[name].load_state_dict(ema["model"] if ema else state["networks"][name])
        networks[name] = built[name].eval()
    recipe.finalize(networks)  # as at the end of training: e.g. standing BN statistics, which model.json promises
    card = training_card(configs["train"], saved.get("data_summary"), state["step"], saved.get("world_size", 1), {})
    card["training"]["snapshot_of"] = str(run_dir.resolve())
    out = Path(out) if out else run_dir / "snapshot"
    out.mkdir(parents=True, exist_ok=True)
    weights.export(out, recipe, networks, card)
    if (run_dir / provenance.NAME).is_file() and out.resolve() != run_dir.resolve():
        write_text(out / provenance.NAME, (run_dir / provenance.NAME).read_text(encoding="utf-8"))
    return out
