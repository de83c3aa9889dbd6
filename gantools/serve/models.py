"""The models a `gantools serve` server offers: loaded once, shared by every request, described from their cards."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gantools.errors import UserError

TASKS = {"colorize": "Colorize", "superres": "Upscale", "sketch2photo": "Sketch to photo", "cyclegan": "Translate"}


@dataclass
class Served:
    name: str  # what the page and the API call it
    label: str  # what a person reads in the menu
    recipe: str
    predictor: Any
    notes: list[str] = field(default_factory=list)  # what it was trained on, what it is bad at

    def describe(self) -> dict:
        return {"name": self.name, "label": self.label, "recipe": self.recipe, "notes": self.notes}


def default_names() -> list[str]:
    """Every bundled model that turns images into images (the samplers, e.g. dcgan-digits, are left out)."""
    from gantools.files import weights

    return [n for n in weights.bundled_names() if weights.read_card(weights.resolve(n))["recipe"] in TASKS]


def label_for(name: str, card: dict) -> str:
    recipe = card["recipe"]
    if recipe == "superres":
        kind = "real photos" if name.endswith("-real") else ("GAN, crisper" if name.endswith("-gan") else "faithful")
        return f"Upscale x{card['config'].get('scale')} ({kind})"
    return TASKS.get(recipe, recipe) + ("" if name == recipe else f" ({name})")


def card_notes(card: dict) -> list[str]:
    """The card's honest notes: what the model was trained on and its stated limitations."""
    notes = []
    source = card.get("data_source") or {}
    if source.get("sources"):
        parts = [f"{s['folder']} ({s.get('files', s.get('train', '?'))} files)" for s in source["sources"]]
        notes.append("Trained on " + ", ".join(parts) + ".")
    elif source.get("training_photos"):
        notes.append(f"Trained on {source['training_photos']} photos.")
    elif source.get("training_images"):
        origin = str(source.get("origin", ""))
        notes.append(f"Trained on {source['training_images']} images" + (f": {origin[:160]}" if origin else "") + ".")
    notes += [str(x) for x in card.get("limitations", [])]
    return notes or ["The model card states no limitations."]


def load_models(refs: list[str], device) -> dict[str, Served]:
    """Load each model (bundled name, run folder or model file) once; refuse models that take no image."""
    from gantools.files import weights
    from gantools.infer.predictor import Predictor

    served: dict[str, Served] = {}
    for ref in refs:
        loaded = weights.load(ref, device=device)
        predictor = loaded.recipe.predictor(loaded.networks, device)
        if type(predictor).prepare is Predictor.prepare:
            raise UserError(f"--models: '{ref}' is a '{loaded.recipe.name}' model, which does not turn images into images")
        name = Path(ref).name if Path(ref).exists() else ref
        if name in served:
            raise UserError(f"--models: '{name}' is named twice")
        served[name] = Served(name, label_for(name, loaded.card), loaded.recipe.name, predictor, card_notes(loaded.card))
    return served
