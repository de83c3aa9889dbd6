"""Trained models on disk: model.safetensors (tensors only, never pickle) + model.json (the model card).

The safetensors file holds every network inference needs, each tensor named "NETWORK.parameter"; the
card lists the networks. `load` accepts a bundled model's name, a run folder, a folder holding the two
files, or the .safetensors file itself, and rebuilds the recipe and networks the card describes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

import gantools
from gantools.files.atomic import atomic_path, write_text
from gantools.config import apply_overrides, to_dict
from gantools.errors import UserError
from gantools.recipe import Recipe, load_recipe_class

WEIGHTS_NAME, CARD_NAME = "model.safetensors", "model.json"


@dataclass
class LoadedModel:
    recipe: Recipe
    networks: dict[str, nn.Module]
    card: dict
    path: Path

    @property
    def generator(self) -> nn.Module:
        """The network a single-generator recipe runs ("G")."""
        if "G" not in self.networks:
            raise UserError(f"model '{self.path}' has no network 'G' (it holds {', '.join(self.networks)})")
        return self.networks["G"]


def _stored(tensor: torch.Tensor, half: bool) -> torch.Tensor:
    tensor = tensor.detach().cpu().contiguous()
    return tensor.half() if half and tensor.is_floating_point() else tensor


def export(out_dir: str | Path, recipe: Recipe, networks: dict[str, nn.Module], card: dict[str, Any]) -> Path:
    """Write the networks' weights (one file, names prefixed) and a model card describing how to rebuild them."""
    out_dir = Path(out_dir)
    state, counts = {}, {}
    for name, net in networks.items():
        half = name in recipe.half_precision_networks
        tensors = {f"{name}.{k}": _stored(v, half) for k, v in net.state_dict().items()}
        state.update(tensors)
        counts[name] = sum(int(v.numel()) for v in tensors.values())
    with atomic_path(out_dir / WEIGHTS_NAME) as tmp:
        save_file(state, str(tmp), metadata={"format": "pt", "recipe": recipe.name, "networks": ",".join(networks)})
    full = {
        "recipe": recipe.name,
        "recipe_source": getattr(type(recipe), "source_path", None),
        "config": to_dict(recipe.config),
        "classes": list(recipe.classes),
        **recipe.card(),
        "networks": counts,  # name -> parameters (and buffers) stored
        "parameters": sum(counts.values()),
        "gantools_version": gantools.__version__,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **card,
    }
    write_text(out_dir / CARD_NAME, json.dumps(full, indent=2, default=str) + "\n")
    return out_dir / WEIGHTS_NAME


def bundled_names() -> list[str]:
    root = resources.files("gantools.assets")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / WEIGHTS_NAME).is_file())


def resolve(ref: str | Path) -> Path:
    """The .safetensors file that `ref` names (bundled name, run folder, model folder or file)."""
    path = Path(ref).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        candidate = path / WEIGHTS_NAME
        if candidate.is_file():
            return candidate
        raise UserError(f"no {WEIGHTS_NAME} in '{path}' (has the run finished? `gantools train` writes it at the end)")
    if str(ref) in bundled_names():
        return Path(str(resources.files("gantools.assets") / str(ref) / WEIGHTS_NAME))
    names = bundled_names()
    raise UserError(f"model '{ref}' not found (not a file or folder; bundled models: {', '.join(names) or 'none'})")


def read_card(weights_path: Path) -> dict:
    card_path = weights_path.with_name(CARD_NAME) if weights_path.name == WEIGHTS_NAME else weights_path.with_suffix(".json")
    if not card_path.is_file():
        raise UserError(f"model card '{card_path}' is missing beside '{weights_path}'")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"model card '{card_path}' is not valid JSON: {exc}") from None
    if not isinstance(card, dict) or "recipe" not in card or "config" not in card:
        raise UserError(f"model card '{card_path}' lacks 'recipe' or 'config'")
    return card


def split_networks(state: dict[str, torch.Tensor], card: dict, where: Path) -> dict[str, dict[str, torch.Tensor]]:
    """The file's tensors grouped by network; the card's list of networks and the file's must agree exactly.
    A card without a list is from before recipes named their networks: the whole file is G."""
    listed = card.get("networks")
    if listed is None:
        return {"G": state}
    names = list(listed)
    groups: dict[str, dict[str, torch.Tensor]] = {}
    for key, value in state.items():
        name, dot, rest = key.partition(".")
        groups.setdefault(name if dot else "", {})[rest] = value
    missing, extra = [n for n in names if n not in groups], sorted(n for n in groups if n not in names)
    if missing or extra:
        problems = ([f"lacks network(s) {', '.join(missing)} that its card names"] if missing else []) + \
                   ([f"holds network(s) {', '.join(n or '(unnamed tensors)' for n in extra)} that its card does not name"] if extra else [])
        raise UserError(f"'{where}' {' and '.join(problems)}")
    return groups


def load(ref: str | Path, expect_recipe: str | None = None, device: str | torch.device = "cpu",
         recipe_file: str | Path | None = None) -> LoadedModel:
    """Rebuild the networks a model card describes and fill them from safetensors. No code runs from the files: a
    card naming a recipe file is refused unless the user passes that file (`recipe_file`, the CLI's --recipe); a
    card whose architecture is far larger than the tensors in the file, or tensors of the wrong kind, are refused
    before anything large is allocated."""
    weights_path = resolve(ref)
    card = read_card(weights_path)
    if expect_recipe is not None and card["recipe"] != expect_recipe:
        raise UserError(f"'{ref}' is a '{card['recipe']}' model, not a '{expect_recipe}' model")
    source = card.get("recipe_source")
    if recipe_file is None and source:
        raise UserError(f"'{ref}' was trained with the recipe file '{source}'; a model never imports code by itself: "
                        f"pass the file with --recipe {source}")
    cls = load_recipe_class(str(recipe_file) if recipe_file is not None else card["recipe"])
    if cls.name != card["recipe"]:
        raise UserError(f"--recipe '{recipe_file}' defines recipe '{cls.name}', but '{ref}' is a '{card['recipe']}' model")
    settings = {k: v for k, v in card["config"].items() if k not in cls.retired_settings}
    config = apply_overrides({"recipe": cls.Config()}, {"recipe": settings})["recipe"]
    recipe = cls(config, classes=card.get("classes") or [])
    try:
        state = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise UserError(f"'{weights_path}' is not a readable safetensors file: {exc}") from None
    groups = split_networks(state, card, weights_path)
    _check_size(recipe, sum(t.numel() for t in state.values()), weights_path)
    built = recipe.build()
    networks = {}
    for name, tensors in groups.items():
        if name not in built:
            raise UserError(f"'{weights_path}' holds network '{name}', which recipe '{recipe.name}' does not build")
        own = built[name].state_dict()
        odd = [k for k, t in tensors.items() if k in own and t.is_floating_point() != own[k].is_floating_point()]
        if odd:
            raise UserError(f"network '{name}' in '{weights_path}': tensor '{odd[0]}' is {tensors[odd[0]].dtype}, "
                            f"the architecture wants {own[odd[0]].dtype}")
        try:
            built[name].load_state_dict(tensors)
        except RuntimeError as exc:
            raise UserError(f"network '{name}' in '{weights_path}' does not fit the architecture its card describes: {str(exc).splitlines()[0]}") from None
        networks[name] = built[name].to(device).eval()
    return LoadedModel(recipe, networks, card, weights_path)


# Networks a card may describe beyond the file's tensors (e.g. a discriminator inference does not need).
SPARE_PARAMETERS = 64_000_000


def _check_size(recipe: Recipe, in_file: int, where: Path) -> None:
    """Build the card's networks on the meta device (no memory) and refuse one far larger than its file."""
    try:
        with torch.device("meta"):
            built = recipe.build()
    except UserError:
        raise
    except Exception as exc:  # sizes that overflow even without memory
        raise UserError(f"the card of '{where}' describes networks that cannot be built: {str(exc).splitlines()[0]}") from None
    described = sum(p.numel() for net in built.values() for p in net.parameters())
    if described > 2 * in_file + SPARE_PARAMETERS:
        raise UserError(f"the card of '{where}' describes networks of {described:,} parameters, but the file holds "
                        f"{in_file:,} values: refused (a damaged or hostile card)")
