"""A recipe's own inference options (declared in Recipe.inference_options), applied to a loaded model.

The CLI never names a recipe's settings: `gantools run MODEL IN OUT --render-size 512` and the named
commands' options all come here, are checked against what the model's recipe declares, and are validated
by the recipe's Config as any setting is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from gantools.errors import UserError


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def apply(recipe: Any, options: dict[str, Any]) -> None:
    """Set `options` (config field -> value; None = keep the model's) on `recipe.config`, in place."""
    given = {k: v for k, v in options.items() if v is not None}
    if not given:
        return
    allowed = tuple(recipe.inference_options)
    for name in given:
        if name not in allowed:
            takes = ", ".join(flag(n) for n in allowed) or "none"
            raise UserError(f"{flag(name)} is not an inference option of a '{recipe.name}' model (it takes: {takes})")
    try:
        recipe.config = replace(recipe.config, **given)
    except (TypeError, ValueError) as exc:
        raise UserError(f"{', '.join(flag(n) for n in given)}: {exc}") from None


def describe(recipe: Any) -> dict[str, Any]:
    """The model's inference options and their current values."""
    return {flag(name): getattr(recipe.config, name) for name in recipe.inference_options}
