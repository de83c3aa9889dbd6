"""The augment recipe and the code only it uses."""

from gantools.recipes.augment.recipe import RECIPE  # the registry looks for RECIPE here

__all__ = ["RECIPE"]
