"""colorize: gray photographs to colour. G sees the L channel of Lab and predicts ab.

Training pairs come from colour photos (L -> ab). At inference ab is predicted at a working resolution
(`render_size`), resized to the photo's own size and joined with its full-resolution L, so every detail
and the exact size of the input are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from skimage import color
from torch import nn

from gantools.config import setting
from gantools.data import PhotoTiles, list_data
from gantools.losses import l1
from gantools.nets.patchgan import PatchGAN
from gantools.nets.unet import UNet
from gantools.imageio import Decoded
from gantools.recipe import Pair, Predictor, Recipe

AB_SCALE = 110.0  # |a|, |b| stay below this for sRGB colours



@dataclass
class ColorizeConfig:
    size: int = setting("training crop size (a multiple of 2**depth)", 128)
    load_size: int = setting("training tiles: squares of this size cut from each photo", 192)
    photo_scale: int = setting("photos are scaled so their shorter side is this before tiles are cut", 384)
    base: int = setting("U-Net channels at full resolution", 16)
    depth: int = setting("U-Net downsamplings", 4)
    d_base: int = setting("PatchGAN channels", 64)
    l1_weight: float = setting("weight of L1 on ab against the adversarial loss", 100.0)
    render_size: int = setting("inference: ab is predicted with the shorter side at this size", 256)

    def __post_init__(self):
        if self.size % (2**self.depth) or self.size < 2**self.depth:
            raise ValueError(f"size must be a multiple of {2**self.depth}")
        if self.load_size < self.size or self.photo_scale < self.load_size:
            raise ValueError("need size <= load_size <= photo_scale")
        if self.render_size < 2**self.depth:
            raise ValueError(f"render_size must be at least {2**self.depth}")


def rgb_to_lab_tensor(rgb: np.ndarray) -> torch.Tensor:
    """uint8 HWC RGB -> float CHW (L, a, b) scaled to [-1, 1] (scikit-image does the colour science)."""
    lab = color.rgb2lab(rgb).astype(np.float32)
    lab[..., 0] = lab[..., 0] / 50.0 - 1.0
    lab[..., 1:] /= AB_SCALE
    return torch.from_numpy(np.ascontiguousarray(lab.transpose(2, 0, 1)))


def lab_batch(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    """uint8 NCHW RGB -> scaled Lab NCHW on `device`."""
    return torch.stack([rgb_to_lab_tensor(c.permute(1, 2, 0).numpy()) for c in images]).to(device)


def lab_tensor_to_rgb(lab: torch.Tensor) -> np.ndarray:
    """float CHW scaled Lab -> float HWC RGB in [0, 1]."""
    arr = lab.detach().float().cpu().numpy().transpose(1, 2, 0).astype(np.float64)
    arr[..., 0] = (arr[..., 0] + 1.0) * 50.0
    arr[..., 1:] *= AB_SCALE
    return np.clip(color.lab2rgb(arr), 0.0, 1.0)


class ColorizeRecipe(Recipe):
    name = "colorize"
    summary = "gray photos to colour: U-Net predicts Lab ab from L, PatchGAN judges (L, ab)"
    Config = ColorizeConfig
    train_defaults = {"loss": "lsgan", "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "batch_size": 16, "pretrain_steps": 500,
                      "ema_decay": 0.999, "steps": 5000}

    def dataset(self, data: str | Path) -> PhotoTiles:
        c = self.config
        self._dataset = PhotoTiles(list_data(data, conditional=False), channels=3, size=c.load_size, short_side=c.photo_scale)
        return self._dataset

    def build_generator(self) -> nn.Module:
        return UNet(1, 2, self.config.base, self.config.depth, max_channels=8 * self.config.base)

    def build_discriminator(self) -> nn.Module:
        return PatchGAN(3, self.config.d_base)

    def make_pair(self, batch, device: torch.device) -> Pair:
        images, _ = batch
        n, _, h, w = images.shape
        s = self.config.size
        # Random crop and flip per batch, drawn from torch's RNG so a resumed run repeats them.
        top = int(torch.randint(0, h - s + 1, ()))
        left = int(torch.randint(0, w - s + 1, ()))
        crops = images[:, :, top : top + s, left : left + s]
        if bool(torch.rand(()) < 0.5):
            crops = crops.flip(3)
        lab = lab_batch(crops, device)
        return Pair((lab[:, :1],), lab[:, 1:])

    def d_view(self, condition, image):
        return torch.cat([condition[0], image], dim=1), {}

    def reconstruction(self, fake, pair):
        return {"l1": self.config.l1_weight * l1(fake, pair.target)}

    def preview_condition(self, dataset, n, device, generator):
        count = min(n, len(dataset), 8)
        index = torch.randperm(len(dataset), generator=generator)[:count]
        images = torch.stack([dataset[int(i)][0] for i in index])
        s = self.config.size
        top = (images.shape[2] - s) // 2
        crops = images[:, :, top : top + s, top : top + s]
        lab = lab_batch(crops, device)
        return (lab[:, :1],), lab[:, 1:]

    def preview(self, generator, condition, extra):
        """Rows of (gray input, colourised, original)."""
        fake = self.generate(generator, condition)
        L = condition[0]
        rows = []
        for i in range(L.shape[0]):
            for ab in (torch.zeros_like(fake[i]), fake[i], extra[i]):
                rgb = lab_tensor_to_rgb(torch.cat([L[i], ab]))
                rows.append(torch.from_numpy(rgb.transpose(2, 0, 1)).float() * 2 - 1)
        return torch.stack(rows), 3

    def card(self) -> dict:
        return {"input": "L of CIE Lab, scaled to [-1, 1]", "output": "ab of CIE Lab / 110"}

    def predictor(self, generator: nn.Module, device: torch.device) -> "ColorizePredictor":
        return ColorizePredictor(self, generator, device)


class ColorizePredictor(Predictor):
    """One image in, the same image coloured out: same size, same bit depth, alpha kept."""

    @torch.inference_mode()
    def predict(self, decoded: Decoded) -> Decoded:
        pixels = decoded.pixels
        peak = 65535.0 if pixels.dtype == np.uint16 else 255.0
        rgb = pixels.astype(np.float32) / peak
        if rgb.ndim == 2:
            rgb = np.repeat(rgb[..., None], 3, axis=2)
        L = color.rgb2lab(rgb)[..., 0].astype(np.float32)  # full-resolution luminance, kept as it is
        h, w = L.shape
        ab = self._predict_ab(L)
        ab = cv2.resize(ab, (w, h), interpolation=cv2.INTER_LINEAR) if ab.shape[:2] != (h, w) else ab
        out = color.lab2rgb(np.dstack([L, ab * AB_SCALE]).astype(np.float64))
        out = np.clip(np.round(out * peak), 0, peak).astype(pixels.dtype)
        return Decoded(out, decoded.alpha, list(decoded.notes))

    def _predict_ab(self, L: np.ndarray) -> np.ndarray:
        """ab (HWC, scaled) at the working resolution: shorter side = render_size, sides padded to the U-Net's multiple."""
        h, w = L.shape
        scale = min(1.0, self.recipe.config.render_size / min(h, w))
        rh, rw = max(1, round(h * scale)), max(1, round(w * scale))
        small = cv2.resize(L, (rw, rh), interpolation=cv2.INTER_AREA) if (rh, rw) != (h, w) else L
        m = self.generator.multiple
        ph, pw = (-rh) % m, (-rw) % m
        x = torch.from_numpy(small / 50.0 - 1.0).float()[None, None].to(self.device)
        x = F.pad(x, (0, pw, 0, ph), mode="replicate") if ph or pw else x
        ab = self.recipe.generate(self.generator, (x,))[0, :, :rh, :rw].float().cpu().numpy()
        return ab.transpose(1, 2, 0)


RECIPE = ColorizeRecipe
