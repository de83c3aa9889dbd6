"""gantools: generative adversarial networks put to work on images."""

__version__ = "0.1.0"
