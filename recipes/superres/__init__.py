"""The superres recipe and the code only it uses."""

from gantools.recipes.superres.recipe import RECIPE  # the registry looks for RECIPE here

__all__ = ["RECIPE"]
