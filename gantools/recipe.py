"""The Recipe contract (the one place that knows a task) and the registry that finds recipes.

A recipe declares its config dataclass, builds G and D, turns raw samples into (condition, target)
pairs, names its reconstruction losses, says how D sees a pair, and provides the Predictor used for
inference. Built-ins live one per file in gantools.recipes and are imported only when asked for, so a
broken recipe breaks only itself; a user's recipe is a Python file passed by path.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import torch
from torch import nn
from torch.utils.data import Dataset

from gantools.errors import UserError
from gantools.trainconfig import TrainConfig


@dataclass
class Pair:
    """One training batch as the trainer sees it: what G is given, and the real image it should match."""

    condition: tuple[torch.Tensor, ...]
    target: torch.Tensor


class Recipe:
    """Subclass this, set the class attributes, and implement the methods that raise NotImplementedError."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    Config: ClassVar[type] = object
    # Settings of the trainer this task prefers over TrainConfig's own defaults.
    train_defaults: ClassVar[dict[str, Any]] = {}
    # The bundled model `gantools eval RECIPE` uses when no --model is given.
    bundled_default: ClassVar[str] = ""

    def __init__(self, config: Any, classes: list[str] | None = None):
        self.config = config
        self.classes: list[str] = list(classes or [])

    # --- data -------------------------------------------------------------------------------------
    def dataset(self, data: str | Path) -> Dataset:
        """The raw samples of a data folder; sets self.classes when the task is class-conditional."""
        raise NotImplementedError

    def data_summary(self) -> dict:
        """What the dataset held (images, skipped, classes), for the log and the model card."""
        listing = getattr(getattr(self, "_dataset", None), "listing", None)
        return listing.summary() if listing is not None else {}

    def make_pair(self, batch: Any, device: torch.device) -> Pair:
        """A collated batch of raw samples -> (condition, target) on `device`, tensors in [-1, 1]."""
        raise NotImplementedError

    # --- nets -------------------------------------------------------------------------------------
    def build_generator(self) -> nn.Module:
        raise NotImplementedError

    def build_discriminator(self) -> nn.Module:
        raise NotImplementedError

    def generate(self, generator: nn.Module, condition: tuple[torch.Tensor, ...]) -> torch.Tensor:
        return generator(*condition)

    def d_view(self, condition: tuple[torch.Tensor, ...], image: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """What D judges: an image-like tensor (augmented by DiffAugment, penalised by R1) and extra inputs.

        Unconditional default: the image alone. A pix2pix recipe stacks condition and image; a
        class-conditional one passes labels as a keyword.
        """
        return image, {}

    def reconstruction(self, fake: torch.Tensor, pair: Pair) -> dict[str, torch.Tensor]:
        """Weighted reconstruction terms added to G's loss (and the whole loss in pre-training)."""
        return {}

    # --- previews, inference, model card ---------------------------------------------------------
    def preview_condition(
        self, dataset: Dataset, n: int, device: torch.device, generator: torch.Generator
    ) -> tuple[tuple[torch.Tensor, ...], Any]:
        """A fixed condition for the sample grids written during training, plus anything to show beside it.

        Draw randomness from `generator` only, so previews never shift the training run's random streams.
        """
        raise NotImplementedError

    def preview(self, generator: nn.Module, condition: tuple[torch.Tensor, ...], extra: Any) -> tuple[torch.Tensor, int]:
        """Images in [-1, 1] to put in a grid, and the grid's row length."""
        images = self.generate(generator, condition)
        return images, max(1, int(images.shape[0] ** 0.5))

    def finalize(self, generator: nn.Module) -> None:
        """Last touches to a trained generator, in place, before it is exported (default: none)."""

    def card(self) -> dict:
        """Architecture facts for model.json beyond the config (e.g. image size, channels)."""
        return {}

    def predictor(self, generator: nn.Module, device: torch.device) -> "Predictor":
        raise UserError(f"recipe '{self.name}' has no inference command")

    def evaluate(self, predictor: "Predictor", data: Path, max_side: int, examples: Path | None) -> dict:
        """Score a trained model on held-out data: {"rows": [per-image dicts], "summary": {...}, "skipped": [...]}.

        `max_side` bounds the longer side the data is scored at; `examples`, when given, is a folder for
        side-by-side pictures of input, output and truth."""
        raise UserError(f"recipe '{self.name}' has no eval command")


class ConditionalImageRecipe(Recipe):
    """pix2pix family: D judges (condition, image) stacked as channels; G adds `config.l1_weight` x L1."""

    def d_view(self, condition, image):
        return torch.cat([condition[0], image], dim=1), {}

    def reconstruction(self, fake, pair):
        from gantools.losses import l1

        return {"l1": self.config.l1_weight * l1(fake, pair.target)}


@dataclass
class Job:
    """One image between the predictor's stages: `input` (CHW, CPU) goes through the model, batched with
    inputs of the same shape; `state` is whatever `finish` needs to build the output."""

    input: torch.Tensor
    state: Any = None


class Predictor:
    """Inference with a trained generator, in three stages so the folder runner can overlap and batch them:
    `prepare` (CPU, worker thread) -> `forward` (a batch, on the device) -> `finish` (CPU, worker thread)."""

    def __init__(self, recipe: Recipe, generator: nn.Module, device: torch.device):
        self.recipe, self.generator, self.device = recipe, generator.to(device).eval(), device

    def prepare(self, decoded: Any) -> Job:
        raise NotImplementedError

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """A batch of prepared inputs (NCHW, CPU) -> outputs (NCHW, CPU)."""
        with torch.inference_mode():
            return self.recipe.generate(self.generator, (inputs.to(self.device),)).float().cpu()

    def finish(self, job: Job, output: torch.Tensor) -> Any:
        raise NotImplementedError

    def predict(self, decoded: Any) -> Any:
        """One image through all three stages."""
        job = self.prepare(decoded)
        return self.finish(job, self.forward(job.input[None])[0])


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
