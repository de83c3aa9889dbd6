"""The Recipe contract (the one place that knows a task) and the registry that finds recipes.

A recipe declares its config dataclass, builds its named networks, lists its training phases (each
trains some of the networks on loss terms it computes), says which networks keep an EMA and which are
exported, and provides the Predictor used for inference. Built-ins live in gantools.recipes (a module or
a package each) and are imported only when asked for, so a broken recipe breaks only itself; a user's
recipe is a Python file passed by path.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import torch
from torch import nn
from torch.utils.data import Dataset

from gantools.errors import UserError
from gantools.train.trainconfig import TrainConfig

if TYPE_CHECKING:
    from gantools.infer.predictor import Predictor
    from gantools.train.phases import Phase


class Recipe:
    """Subclass this (or TwoPlayerRecipe, for one G and one D), set the class attributes, implement the methods."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    Config: ClassVar[type] = object
    # Settings of the trainer this task prefers over TrainConfig's own defaults.
    train_defaults: ClassVar[dict[str, Any]] = {}
    # The bundled model `gantools eval RECIPE` uses when no --model is given.
    bundled_default: ClassVar[str] = ""
    # Networks kept as an exponential moving average while training (when TrainConfig.ema_decay > 0); the
    # average, not the live network, is what previews and the export use.
    ema_networks: ClassVar[tuple[str, ...]] = ()
    # Networks inference needs: written, named, into model.safetensors.
    export_networks: ClassVar[tuple[str, ...]] = ()
    # Exported networks stored as float16 (frozen pretrained ones: half the file; loaded back as float32).
    half_precision_networks: ClassVar[tuple[str, ...]] = ()
    # Inference settings a user may change per run (`gantools run MODEL IN OUT --render-size 512`): names of
    # Config fields. Everything else in Config describes the trained architecture and stays as trained.
    inference_options: ClassVar[tuple[str, ...]] = ()
    # Paired recipes: the Config field that `gantools train RECIPE --pairs A B` sets to B (A becomes --data).
    paired_setting: ClassVar[str] = ""
    # Settings of `gantools eval RECIPE` itself (a dataclass of `setting` fields, e.g. how inputs are degraded),
    # given as free options like inference options; evaluate() receives an instance. None: it takes none.
    EvalConfig: ClassVar[type | None] = None
    # Config fields an older version had that affected training only: dropped when a model card is loaded,
    # so models trained before the change still load (name -> what it was).
    retired_settings: ClassVar[dict[str, str]] = {}

    def __init__(self, config: Any, classes: list[str] | None = None):
        self.config = config
        self.classes: list[str] = list(classes or [])

    # --- data -------------------------------------------------------------------------------------
    def dataset(self, data: str | Path) -> Dataset:
        """The raw samples of a data folder. It runs first, before build(): it sets self.classes when the task is
        class-conditional and settles the settings chosen from the data (e.g. color 'auto'); a recipe whose
        networks depend on such a setting refuses to build them while it is unsettled."""
        raise NotImplementedError

    # --- training -----------------------------------------------------------------------------------
    def build(self) -> dict[str, nn.Module]:
        """Every network the recipe trains or uses, by name."""
        raise NotImplementedError

    def pretrained(self, networks: dict[str, nn.Module]) -> None:
        """Fill, in place, the networks that start from pretrained weights (e.g. a frozen teacher). Runs when a
        training run starts; never on resume (the checkpoint holds them) or when a model is loaded."""

    def phases(self, cfg: TrainConfig) -> list["Phase"]:
        """The training phases, in the order they run within a step."""
        raise NotImplementedError

    def state_dict(self) -> dict:
        """The recipe's own training state (e.g. an image pool), saved in every checkpoint for an exact resume."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass

    # --- previews, export, inference --------------------------------------------------------------
    def preview_condition(self, dataset: Dataset, n: int, device: torch.device, generator: torch.Generator) -> Any:
        """Fixed inputs for the sample grids written during training. Draw randomness from `generator` only,
        so previews never shift the training run's random streams."""
        raise NotImplementedError

    def preview_images(self, networks: dict[str, nn.Module], prepared: Any) -> tuple[torch.Tensor, int]:
        """Images in [-1, 1] for a grid (the EMA networks where kept), and the grid's row length."""
        raise NotImplementedError

    # True: the preview images are independent samples (noise to image), so near-identical ones mean mode
    # collapse and training warns (train/health.py); False for previews of inputs and outputs side by side.
    previews_are_samples: bool = False
    # The recipe's own words of what to try, by symptom of train/health.py ("discriminator at chance", ...).
    training_advice: dict[str, str] = {}

    def finalize(self, networks: dict[str, nn.Module]) -> None:
        """Last touches to the exported networks, in place, before they are written (default: none)."""

    def card(self) -> dict:
        """Architecture facts for model.json beyond the config (e.g. image size, channels)."""
        return {}

    def predictor(self, networks: dict[str, nn.Module], device: torch.device) -> "Predictor":
        raise UserError(f"recipe '{self.name}' has no inference command")

    def evaluate(self, predictor: "Predictor", data: Path, max_side: int, examples: Path | None, settings: Any = None) -> dict:
        """Score a trained model on held-out data: {"rows": [per-image dicts], "summary": {...}, "skipped": [...]}.

        `max_side` bounds the longer side the data is scored at; `examples`, when given, is a folder for
        side-by-side pictures of input, output and truth; `settings` is an EvalConfig instance (None without one)."""
        raise UserError(f"recipe '{self.name}' has no eval command")


# --- registry ----------------------------------------------------------------------------------------

BUILTIN_PACKAGE = "gantools.recipes"


def builtin_names() -> list[str]:
    package = importlib.import_module(BUILTIN_PACKAGE)
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_"))


def _recipe_in(module: Any, origin: str) -> type[Recipe]:
    found = getattr(module, "RECIPE", None)
    if found is None:
        local = [
            obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Recipe) and obj is not Recipe and obj.__module__ == module.__name__
        ]
        if len(local) != 1:
            raise UserError(f"{origin} must define one Recipe subclass (or set RECIPE = TheClass); found {len(local)}")
        found = local[0]
    if not (inspect.isclass(found) and issubclass(found, Recipe)):
        raise UserError(f"{origin}: RECIPE is not a gantools.recipe.Recipe subclass")
    return found


def load_recipe_class(ref: str) -> type[Recipe]:
    """A built-in recipe by name ('dcgan'), or the Recipe subclass in a user's Python file."""
    path = Path(ref)
    if ref.endswith(".py") or path.is_file():
        if not path.is_file():
            raise UserError(f"recipe file '{ref}' does not exist")
        module_name = f"gantools_user_recipe_{abs(hash(str(path.resolve())))}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise UserError(f"recipe file '{ref}' failed to import: {type(exc).__name__}: {exc}") from None
        except SystemExit as exc:  # a script's exit() would end gantools silently with its code
            raise UserError(f"recipe file '{ref}' called exit({exc.code}) while importing") from None
        cls = _recipe_in(module, f"recipe file '{ref}'")
        cls.source_path = str(path.resolve())
        return cls
    names = builtin_names()
    if ref not in names:
        raise UserError(f"unknown recipe '{ref}' (built-in: {', '.join(names)}; or give a path to a .py file)")
    module = importlib.import_module(f"{BUILTIN_PACKAGE}.{ref}")
    return _recipe_in(module, f"built-in recipe '{ref}'")


def recipe_train_config(cls: type[Recipe]) -> TrainConfig:
    """TrainConfig's defaults with the recipe's preferences applied."""
    from dataclasses import replace

    return replace(TrainConfig(), **cls.train_defaults)
