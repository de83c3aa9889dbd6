"""The sketch2photo recipe and the code only it uses."""

from gantools.recipes.sketch2photo.recipe import RECIPE  # the registry looks for RECIPE here

__all__ = ["RECIPE"]
