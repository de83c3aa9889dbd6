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
from torch import nn

from gantools.metrics import image as metrics
from gantools.config import setting
from gantools.data.folders import PhotoTiles, find_images, list_data
from gantools.errors import UserError
from gantools.files.imageio import Decoded, ImageError, as_channels, peak_value, read_image
from gantools.nets.patchgan import PatchGAN
from gantools.nets.unet import UNet
from gantools.infer.predictor import Job, Predictor
from gantools.train.two_player import ConditionalImageRecipe, Pair
from gantools.train.runlog import save_strip

AB_SCALE = 110.0  # |a|, |b| stay below this for sRGB colours



@dataclass
class ColorizeConfig:
    size: int = setting("training crop size (a multiple of the U-Net's multiple, shrink * 2**depth)", 128)
    load_size: int = setting("training tiles: squares of this size cut from each photo", 192)
    photo_scales: tuple[int, ...] = setting("tiles are cut with the photo's shorter side at each of these sizes", (256, 384, 512))
    base: int = setting("U-Net channels at its top level", 24)
    depth: int = setting("U-Net downsamplings", 5)
    shrink: int = setting("the U-Net works at 1/shrink of the input resolution; ab is resized back", 4)
    d_base: int = setting("PatchGAN channels", 32)
    l1_weight: float = setting("weight of L1 on ab against the adversarial loss", 20.0)
    render_size: int = setting("inference: ab is predicted with the shorter side at this size", 256)

    @property
    def multiple(self) -> int:
        return self.shrink * 2**self.depth

    def __post_init__(self):
        if self.shrink < 1 or self.depth < 1:
            raise ValueError("shrink and depth must be at least 1")
        if self.size % self.multiple or self.size < self.multiple:
            raise ValueError(f"size must be a multiple of {self.multiple} (shrink * 2**depth)")
        if self.load_size < self.size or not self.photo_scales or min(self.photo_scales) < self.load_size:
            raise ValueError("need size <= load_size <= every photo scale")
        if self.render_size < 16:
            raise ValueError("render_size must be at least 16")


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """float32 HWC RGB in [0, 1] -> CIE Lab (L 0..100); OpenCV's sRGB/D65 conversion, ~10x faster than scikit-image's."""
    return cv2.cvtColor(np.ascontiguousarray(rgb, dtype=np.float32), cv2.COLOR_RGB2Lab)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """float32 HWC CIE Lab -> RGB clipped to [0, 1]."""
    return np.clip(cv2.cvtColor(np.ascontiguousarray(lab, dtype=np.float32), cv2.COLOR_Lab2RGB), 0.0, 1.0)


def rgb_to_lab_tensor(rgb: np.ndarray) -> torch.Tensor:
    """uint8 HWC RGB -> float CHW (L, a, b) scaled to [-1, 1]."""
    lab = rgb_to_lab(rgb.astype(np.float32) / 255.0)
    lab[..., 0] = lab[..., 0] / 50.0 - 1.0
    lab[..., 1:] /= AB_SCALE
    return torch.from_numpy(np.ascontiguousarray(lab.transpose(2, 0, 1)))


def lab_batch(images: torch.Tensor, device: torch.device) -> torch.Tensor:
    """uint8 NCHW RGB -> scaled Lab NCHW on `device`."""
    return torch.stack([rgb_to_lab_tensor(c.permute(1, 2, 0).numpy()) for c in images]).to(device)


def lab_tensor_to_rgb(lab: torch.Tensor) -> np.ndarray:
    """float CHW scaled Lab -> float HWC RGB in [0, 1]."""
    arr = lab.detach().float().cpu().numpy().transpose(1, 2, 0).copy()
    arr[..., 0] = (arr[..., 0] + 1.0) * 50.0
    arr[..., 1:] *= AB_SCALE
    return lab_to_rgb(arr)


class ColorizeRecipe(ConditionalImageRecipe):
    name = "colorize"
    summary = "gray photos to colour: U-Net predicts Lab ab from L, PatchGAN judges (L, ab)"
    Config = ColorizeConfig
    inference_options = ("render_size",)
    train_defaults = {"loss": "lsgan", "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "batch_size": 16, "pretrain_steps": 1500,
                      "ema_decay": 0.999, "steps": 7000}  # the bundled model's schedule

    def dataset(self, data: str | Path) -> PhotoTiles:
        c = self.config
        return PhotoTiles(list_data(data, conditional=False), channels=3, size=c.load_size, short_side=c.photo_scales)

    def build_generator(self) -> nn.Module:
        c = self.config
        return UNet(1, 2, c.base, c.depth, max_channels=8 * c.base, shrink=c.shrink)

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

    def predictor(self, networks: dict[str, nn.Module], device: torch.device) -> "ColorizePredictor":
        return ColorizePredictor(self, networks, device)

    def evaluate(self, predictor: "ColorizePredictor", data: Path, max_side: int, examples: Path | None) -> dict:
        """Each photo (scaled so its longer side <= max_side) is turned gray, colourised, and compared with
        itself; the gray image as the answer is the baseline every colouriser must beat."""
        rows, skipped = [], []
        for path in find_images(Path(data)):
            try:
                truth = as_channels(read_image(path), 3)
            except ImageError as exc:
                skipped.append({"file": str(path), "reason": str(exc)})
                continue
            h, w = truth.shape[:2]
            if max(h, w) > max_side:
                scale = max_side / max(h, w)
                truth = cv2.resize(truth, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
            lab = rgb_to_lab(truth.astype(np.float32) / 255.0)
            lab[..., 1:] = 0.0
            gray = np.round(lab_to_rgb(lab) * 255).astype(np.uint8)  # what a user would give: the photo's luminance
            coloured = predictor.predict(Decoded(gray)).pixels
            rows.append({
                "file": str(path.relative_to(data)), "size": f"{truth.shape[1]}x{truth.shape[0]}",
                "psnr": metrics.psnr(truth, coloured), "psnr_gray": metrics.psnr(truth, gray),
                "ssim": metrics.ssim(truth, coloured), "ssim_gray": metrics.ssim(truth, gray),
                "colourfulness": metrics.colourfulness(coloured), "colourfulness_truth": metrics.colourfulness(truth),
            })
            if examples is not None:
                save_strip([gray, coloured, truth], Path(examples) / f"{path.stem}.jpg")
        if not rows:
            raise UserError(f"no readable photos in '{data}'")
        mean = metrics.means(rows)
        mean["colourfulness_ratio"] = mean["colourfulness"] / max(mean["colourfulness_truth"], 1e-9)
        return {"rows": rows, "summary": mean, "skipped": skipped,
                "checks": {"psnr above gray baseline": mean["psnr"] > mean["psnr_gray"],
                           "colourfulness at least 50% of the truth's": mean["colourfulness_ratio"] >= 0.5}}


class ColorizePredictor(Predictor):
    """One image in, the same image coloured out: same size, same bit depth, alpha kept.

    prepare: full-resolution L (kept), and L at the working size (shorter side = render_size, padded
    to the U-Net's multiple) as the model's input. finish: ab resized to full size, joined with L.
    """

    def prepare(self, decoded: Decoded) -> Job:
        pixels = decoded.pixels
        if pixels.ndim == 2:
            pixels = cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB)
        rgb = np.multiply(pixels, np.float32(1.0 / peak_value(pixels.dtype)), dtype=np.float32)
        lab = rgb_to_lab(rgb)  # its L is the output's L, untouched: every detail of the input is kept
        h, w = lab.shape[:2]
        scale = min(1.0, self.recipe.config.render_size / min(h, w))
        rh, rw = max(1, round(h * scale)), max(1, round(w * scale))
        small = cv2.resize(lab, (rw, rh), interpolation=cv2.INTER_AREA)[..., 0] if (rh, rw) != (h, w) else lab[..., 0]
        m = self.generator.multiple
        x = torch.from_numpy(small / 50.0 - 1.0).float()[None]
        x = F.pad(x[None], (0, (-rw) % m, 0, (-rh) % m), mode="replicate")[0]
        return Job(x, (decoded, lab, rh, rw))

    def finish(self, job: Job, output: torch.Tensor) -> Decoded:
        decoded, lab, rh, rw = job.state
        h, w = lab.shape[:2]
        ab = np.ascontiguousarray(output[:, :rh, :rw].numpy().transpose(1, 2, 0)) * AB_SCALE
        lab[..., 1:] = cv2.resize(ab, (w, h), interpolation=cv2.INTER_LINEAR) if (rh, rw) != (h, w) else ab
        rgb = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB, dst=lab)  # in place: a 12 MP photo needs no second copy
        return Decoded(_quantize(rgb, decoded.pixels.dtype), decoded.alpha, list(decoded.notes))


def _quantize(rgb: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """float RGB (about 0..1, out-of-gamut spill included) -> uint8/uint16, rounded and saturated."""
    if dtype == np.uint8:
        return cv2.convertScaleAbs(np.maximum(rgb, 0.0, out=rgb), alpha=255.0)  # rounds and saturates at 255 in one pass
    return np.clip(np.round(rgb * 65535.0), 0, 65535).astype(np.uint16)


RECIPE = ColorizeRecipe
