"""gantools: generative adversarial networks put to work on images.

The Python API (gantools.api): load, Model, colorize, upscale, sketch2photo, translate; imported on first use,
so `import gantools` stays light.
"""

__version__ = "0.1.0"

_API = ("load", "Model", "colorize", "upscale", "sketch2photo", "translate")


def __getattr__(name: str):
    if name in _API:
        from gantools import api

        return getattr(api, name)
    raise AttributeError(f"module 'gantools' has no attribute '{name}'")


def __dir__():
    return sorted(list(globals()) + list(_API))
