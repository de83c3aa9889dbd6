"""The infogan recipe (generation steered by codes it discovers) and the code only it uses."""

from gantools.recipes.infogan.recipe import RECIPE  # the registry looks for RECIPE here

__all__ = ["RECIPE"]
