"""The Python API: any model with a predictor, called on images in memory or on files.

    import gantools
    model = gantools.load("colorize")                    # bundled name, run folder or model file; device="auto"
    out = model(image)                                   # numpy HWC/HW uint8/uint16, PIL.Image or a path
    outs = model([a, b, c], batch_size=8)                # a list in, a list out
    gantools.upscale(image, scale=4, model="real")       # the named commands, as functions
    gantools.colorize(image); gantools.sketch2photo(drawing); gantools.translate(face, model="selfie2anime")

Inputs go through the same stages as the CLI's folder runner (read_image for files, the predictor's prepare,
forward and finish), so the same input gives the same pixels as the command line. A numpy array comes back
as a numpy array (alpha, if the input had it, as the last channel), a PIL image as a PIL image, a path as a
numpy array, or, with `out=PATH`, written there as the CLI writes it (atomically; 16-bit, alpha kept) and the
path returned. Nothing is printed. Errors are the library's own: UserError for a wrong call or model,
ImageError for an image that cannot be read. Calls are thread-safe: the model runs one batch at a time.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from gantools.errors import UserError
from gantools.infer.heap import trim_heap



class Model:
    """A loaded model and its predictor; call it on one image or a list."""

    def __init__(self, ref: str | Path, device: str = "auto", recipe: str | Path | None = None, **options: Any):
        from gantools.device import resolve_device
        from gantools.files import weights
        from gantools.infer import options as inference_options

        self.device = resolve_device(device)
        loaded = weights.load(ref, device=self.device, recipe_file=recipe)
        inference_options.apply(loaded.recipe, options)
        self.recipe, self.card, self.path = loaded.recipe, loaded.card, loaded.path
        self.predictor = loaded.recipe.predictor(loaded.networks, self.device)
        from gantools.infer.predictor import Predictor

        if type(self.predictor).prepare is Predictor.prepare:  # e.g. a noise-to-image sampler: `gantools sample`
            raise UserError(f"'{ref}' is a '{self.recipe.name}' model, which does not turn images into images")
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"gantools.Model('{self.path}', recipe={self.recipe.name!r}, device={str(self.device)!r})"

    def __call__(self, images, batch_size: int = 4, out: str | Path | None = None, max_pixels: int | None = None):
        from gantools.files.imageio import DEFAULT_MAX_PIXELS

        if batch_size < 1:
            raise UserError("batch_size must be at least 1")
        single = not isinstance(images, (list, tuple))
        items = [images] if single else list(images)
        if out is not None and not single:
            raise UserError("out= writes one image; for many, call once per image or use `gantools run`")
        decoded = [_decode(item, max_pixels or DEFAULT_MAX_PIXELS) for item in items]
        results = self._run(decoded, batch_size)
        if out is not None:
            from gantools.files.imagewrite import write

            write(results[0], Path(out))
            return Path(out)
        outputs = [_as_kind(item, result) for item, result in zip(items, results)]
        return outputs[0] if single else outputs

    def _run(self, decoded: list, batch_size: int) -> list:
        import torch

        predictor = self.predictor
        jobs = [predictor.prepare(d) for d in decoded]
        limit = batch_size if getattr(predictor, "batchable", True) else 1
        outputs: list = [None] * len(jobs)
        i = 0
        with self._lock:
            while i < len(jobs):
                group = [i]
                while len(group) < limit and group[-1] + 1 < len(jobs) and jobs[group[-1] + 1].input.shape == jobs[i].input.shape:
                    group.append(group[-1] + 1)
                inputs = jobs[i].input[None] if len(group) == 1 else torch.stack([jobs[k].input for k in group])
                for k, output in zip(group, predictor.forward(inputs)):
                    outputs[k] = output
                i = group[-1] + 1
        images = [predictor.finish(job, output) for job, output in zip(jobs, outputs)]
        trim_heap()  # a caller's loop over thousands of images: freed buffers go back now and then, as in the runner
        return images


def _decode(item, max_pixels: int):
    """A path, PIL image or numpy array -> Decoded (alpha kept apart), as the runner sees files."""
    from PIL import Image

    from gantools.files.imageio import Decoded, ImageError, read_image

    if isinstance(item, (str, Path)):
        return read_image(item, max_pixels)
    if isinstance(item, Image.Image):
        from gantools.files.colour_profile import gray_to_srgb, to_srgb

        icc = item.info.get("icc_profile")
        item = to_srgb(item, [])  # as files are read: the models' space
        mode = item.mode
        if mode in ("P", "CMYK", "YCbCr", "1"):
            item = item.convert("RGBA" if mode == "P" and "transparency" in item.info else ("L" if mode == "1" else "RGB"))
        item = np.asarray(item)
        if icc and mode in ("L", "LA"):  # a gray picture's tones, as files are read
            item = gray_to_srgb(item, icc, []) if mode == "L" else np.dstack([gray_to_srgb(item[..., 0], icc, []), item[..., 1]])
    if not isinstance(item, np.ndarray):
        raise UserError(f"images are numpy arrays, PIL images or paths, not {type(item).__name__}")
    if item.dtype not in (np.uint8, np.uint16):
        raise UserError(f"a numpy image must be uint8 or uint16, not {item.dtype}")
    if item.ndim == 3 and item.shape[2] == 1:
        item = item[..., 0]
    if item.ndim not in (2, 3) or (item.ndim == 3 and item.shape[2] not in (2, 3, 4)):
        raise UserError(f"a numpy image must be HxW or HxWxC with C in 1-4, got shape {item.shape}")
    if item.shape[0] == 0 or item.shape[1] == 0:
        raise UserError(f"a numpy image with no pixels (shape {item.shape})")
    if item.shape[0] * item.shape[1] > max_pixels:
        raise ImageError(f"image is {item.shape[1]}x{item.shape[0]} pixels, over the limit of {max_pixels}")
    if item.ndim == 2:
        return Decoded(np.ascontiguousarray(item))
    channels = item.shape[2]
    pixels = item[..., 0] if channels == 2 else item[..., :3]
    alpha = item[..., -1] if channels in (2, 4) else None
    return Decoded(np.ascontiguousarray(pixels), None if alpha is None else np.ascontiguousarray(alpha))


def _as_kind(item, result):
    """The output in the input's kind: PIL for PIL, else numpy (alpha as the last channel when there is one)."""
    from PIL import Image

    pixels = result.pixels
    if result.alpha is not None:
        pixels = np.dstack([pixels, result.alpha.astype(pixels.dtype)])
    if isinstance(item, Image.Image):
        if pixels.dtype == np.uint16:
            return Image.fromarray(pixels) if pixels.ndim == 2 else Image.fromarray((pixels >> 8).astype(np.uint8))
        return Image.fromarray(pixels)
    return pixels


def load(ref: str | Path, device: str = "auto", recipe: str | Path | None = None, **options: Any) -> Model:
    """A model by bundled name, run folder, model folder or .safetensors file; options are its inference options
    (e.g. colorize: temperature=0.8, upscale: tile=256). `recipe` is the .py file of a model of your own recipe."""
    return Model(ref, device, recipe, **options)


@lru_cache(maxsize=8)
def _cached(ref: str, device: str, options: tuple) -> Model:
    return Model(ref, device, **dict(options))


def _named(expect: str, ref: str, device: str, options: dict) -> Model:
    model = _cached(ref, device, tuple(sorted(options.items())))
    if model.recipe.name != expect:
        raise UserError(f"'{ref}' is a '{model.recipe.name}' model, not a '{expect}' model")
    return model


def colorize(image, model: str = "colorize", device: str = "auto", **options):
    """Gray photo(s) to colour (`gantools colorize`)."""
    return _named("colorize", model, device, options)(image)


def upscale(image, scale: int = 4, model: str = "psnr", device: str = "auto", **options):
    """Super-resolve (`gantools upscale`): model psnr, gan, real (bundled) or any superres model."""
    from gantools.infer.bundled_upscalers import KINDS, bundled_model

    if model in KINDS:
        model = bundled_model(scale, model)
    m = _named("superres", model, device, options)
    if m.recipe.config.scale != scale:
        raise UserError(f"model '{model}' upscales x{m.recipe.config.scale}, not x{scale}")
    return m(image)


def sketch2photo(drawing, model: str = "sketch2photo", device: str = "auto", **options):
    """Line drawing(s) to photos (`gantools sketch2photo`)."""
    return _named("sketch2photo", model, device, options)(drawing)


def translate(image, model: str = "selfie2anime", device: str = "auto", **options):
    """Unpaired translation (`gantools translate`), e.g. direction='BtoA'."""
    return _named("cyclegan", model, device, options)(image)
