"""The cyclegan recipe (unpaired translation between two image domains) and the code only it uses."""

from gantools.recipes.cyclegan.recipe import RECIPE  # the registry looks for RECIPE here

__all__ = ["RECIPE"]
