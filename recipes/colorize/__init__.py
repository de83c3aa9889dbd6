"""colorize: gray photos to colour (recipe, ColorNet, ab bins, Lab helpers)."""

from .lab import lab_tensor_to_rgb, rgb_to_lab, rgb_to_lab_tensor
from .recipe import ColorizeRecipe

RECIPE = ColorizeRecipe

__all__ = ["RECIPE", "ColorizeRecipe", "lab_tensor_to_rgb", "rgb_to_lab", "rgb_to_lab_tensor"]
