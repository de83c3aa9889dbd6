"""superres: low-resolution photos to high resolution, x2 or x4.

G is a compact residual net working at the input's resolution with pixel-shuffle upsampling
(`nets/srnet.py`); D is a spectral-norm PatchGAN on the high-resolution image's
fine detail. Training is L1 first
(pre-training: the PSNR-oriented model, exported as RUN/pretrained) and then L1 + adversarial (the
GAN model, exported as RUN). Pairs are made on the fly from photo tiles by a degradation: `bicubic`
(the benchmark setting) or `real` (blur, noise, JPEG, downscale in a random order).
Inference runs over tiles with context, so memory is set by the tile size, not the image size.
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
from gantools.infer.precision import check as check_precision
from gantools.infer.precision import precision_setting
from gantools.data.folders import PhotoTiles, find_images, list_data
from gantools.recipes.superres.degrade import DEGRADATIONS, bicubic_down, bicubic_resize, degrade, eval_rng, real_degrade
from gantools.errors import UserError
from gantools.files.imageio import Decoded, ImageError, as_channels, peak_value, read_image
from gantools.train.losses import l1
from gantools.nets.patchgan import PatchGAN
from gantools.nets.srnet import CompactSR
from gantools.infer.predictor import Job, Predictor
from gantools.infer.tiling import tiles
from gantools.train.perceptual import PerceptualTerm, check_perceptual
from gantools.train.two_player import Pair, TwoPlayerRecipe
from gantools.train.runlog import save_strip


@dataclass
class SuperResConfig:
    scale: int = setting("upscaling factor: 2 or 4", 4)
    degradation: str = setting(f"how training inputs are made from photos: {' or '.join(DEGRADATIONS)}", "bicubic")
    patch: int = setting("high-resolution training crop size (a multiple of scale)", 192)
    load_size: int = setting("training tiles: squares of this size cut from each photo", 208)
    photo_factors: tuple[float, ...] = setting("tiles are cut from each photo shrunk by each of these factors (1 = its own pixels; never above 1)", (1.0, 0.8, 0.6))
    channels: int = setting("G's channels", 32)
    blocks: int = setting("G's residual blocks", 16)
    d_base: int = setting("PatchGAN channels", 32)
    d_spectral_norm: bool = setting("spectral norm on D's convs", True)
    d_highpass: float = setting("D judges the image minus its 3x3 local mean, times this gain (0 = the image itself)", 8.0)
    l1_weight: float = setting("weight of L1 against the adversarial loss (bundled GAN models: 30)", 30.0)
    perceptual_weight: float = setting("weight of the L1 between ImageNet InceptionV3 features of output and original (a frozen teacher, training only; 0 = off)", 0.0)
    perceptual_stage: str = setting("the InceptionV3 stage whose features the perceptual term compares", "conv_4")
    tile: int = setting("inference: input tile side in pixels (0 = whole image at once)", 384)
    tile_overlap: int = setting("inference: context pixels on each side of a tile, cut off after the forward", 36)
    size_multiple: int = setting("inference: each image is padded (its edge pixels mirrored) to a multiple of this and the output cropped back; few distinct sizes keep memory flat over long batches (1 = off)", 16)
    precision: str = precision_setting()

    def __post_init__(self):
        check_precision(self.precision)
        if self.scale not in (2, 4):
            raise ValueError("scale must be 2 or 4")
        if self.degradation not in DEGRADATIONS:
            raise ValueError(f"degradation must be one of {', '.join(DEGRADATIONS)}")
        if self.patch % self.scale or self.patch < 8 * self.scale:
            raise ValueError(f"patch must be a multiple of scale and at least {8 * self.scale}")
        if self.load_size < self.patch:
            raise ValueError("need patch <= load_size")
        if not self.photo_factors or not all(0 < f <= 1 for f in self.photo_factors):
            raise ValueError("photo_factors must be in (0, 1]: training photos are only ever shrunk")
        check_perceptual(self.perceptual_weight, self.perceptual_stage)
        if self.size_multiple < 1:
            raise ValueError("size_multiple must be at least 1")
        if self.tile < 0 or self.tile_overlap < 0:
            raise ValueError("tile and tile_overlap must not be negative")
        if self.tile and self.tile <= self.tile_overlap:
            raise ValueError(f"tile ({self.tile}) must be larger than tile_overlap ({self.tile_overlap})")


@dataclass
class SuperResEvalConfig:
    degradation: str = setting("inputs made from each image: bicubic (the benchmark; NAME_LR files are used when given) or real (the training pipeline, drawn from the seed and the file name)", "bicubic")
    seed: int = setting("seed of the real degradation", 0)

    def __post_init__(self):
        if self.degradation not in DEGRADATIONS:
            raise ValueError(f"degradation must be one of {', '.join(DEGRADATIONS)}")


def to_unit(pixels: np.ndarray) -> torch.Tensor:
    """uint8 NHWC or HWC -> float [-1, 1] NCHW or CHW."""
    t = torch.from_numpy(np.ascontiguousarray(pixels)).float() / 127.5 - 1.0
    return t.permute(0, 3, 1, 2) if t.ndim == 4 else t.permute(2, 0, 1)


def luma(rgb: np.ndarray) -> np.ndarray:
    """The Y of YCbCr (ITU-R BT.601, 16..235) that super-resolution papers report PSNR on."""
    from skimage.color import rgb2ycbcr  # here: it imports scipy.linalg (0.2 s), which upscaling never needs

    return rgb2ycbcr(rgb)[..., 0]


class SuperResRecipe(PerceptualTerm, TwoPlayerRecipe):
    name = "superres"
    summary = "low resolution to high, x2/x4: residual net + pixel shuffle, L1 pre-training then L1 + PatchGAN"
    Config = SuperResConfig
    bundled_default = "superres-x4"
    inference_options = ("tile", "tile_overlap", "size_multiple", "precision")
    EvalConfig = SuperResEvalConfig
    retired_settings = {"photo_scales": "before superres v2: training tiles cut with the photo's shorter side at these sizes"}
    train_defaults = {"loss": "hinge", "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.9, "beta2": 0.99, "batch_size": 16,
                      "steps": 12000, "pretrain_steps": 10000, "ema_decay": 0.999}

    def dataset(self, data: str | Path) -> PhotoTiles:
        c = self.config
        return PhotoTiles(list_data(data, conditional=False), channels=3, size=c.load_size, factors=c.photo_factors)

    def build_generator(self) -> nn.Module:
        return CompactSR(self.config.scale, self.config.channels, self.config.blocks)

    def build_discriminator(self) -> nn.Module:
        return PatchGAN(3, self.config.d_base, spectral_norm=self.config.d_spectral_norm)

    def make_pair(self, batch, device: torch.device) -> Pair:
        images, _ = batch
        c = self.config
        n, _, h, w = images.shape
        # Crop, flips, rotation and the degradation's randomness all come from torch's RNG: a resumed run repeats them.
        top, left = int(torch.randint(0, h - c.patch + 1, ())), int(torch.randint(0, w - c.patch + 1, ()))
        hr = images[:, :, top : top + c.patch, left : left + c.patch]
        if bool(torch.rand(()) < 0.5):
            hr = hr.flip(3)
        hr = torch.rot90(hr, int(torch.randint(0, 4, ())), dims=(2, 3))
        hr_np = np.ascontiguousarray(hr.permute(0, 2, 3, 1).numpy())
        rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, ())))
        lr_np = np.stack([degrade(img, c.scale, c.degradation, rng) for img in hr_np])
        return Pair((to_unit(lr_np).to(device),), to_unit(hr_np).to(device))

    def d_view(self, condition, image):
        """What separates a GAN upscale from an L1 one is fine detail a few levels of 255 deep; on whole images
        D stayed at chance for 700 steps, on the amplified detail it separates them within 50."""
        gain = self.config.d_highpass
        if not gain:
            return image, {}
        local_mean = F.avg_pool2d(F.pad(image, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
        return gain * (image - local_mean), {}

    def reconstruction(self, fake, pair):
        return {"l1": self.config.l1_weight * l1(fake, pair.target), **self.perceptual_terms(fake, pair.target)}

    def preview_condition(self, dataset, n, device, generator):
        count = min(n, len(dataset), 8)
        index = torch.randperm(len(dataset), generator=generator)[:count]
        hr = np.stack([dataset[int(i)][0].permute(1, 2, 0).numpy() for i in index])
        s = self.config.patch
        hr = np.ascontiguousarray(hr[:, :s, :s])
        lr = np.stack([bicubic_down(img, self.config.scale) for img in hr])
        return (to_unit(lr).to(device),), to_unit(hr).to(device)

    def preview(self, generator, condition, extra):
        """Rows of (bicubic, G's output, original)."""
        fake = self.generate(generator, condition).clamp(-1, 1)
        up = torch.nn.functional.interpolate(condition[0], scale_factor=self.config.scale, mode="bicubic", align_corners=False).clamp(-1, 1)
        return torch.stack([t for i in range(fake.shape[0]) for t in (up[i], fake[i], extra[i])]), 3

    def card(self) -> dict:
        return {"input": "RGB in [-1, 1]", "output": f"RGB in [-1, 1], {self.config.scale}x the input's size", **self.perceptual_card()}

    def predictor(self, networks: dict[str, nn.Module], device: torch.device) -> "SuperResPredictor":
        return SuperResPredictor(self, networks, device)

    def evaluate(self, predictor: "SuperResPredictor", data: Path, max_side: int, examples: Path | None,
                 settings: SuperResEvalConfig | None = None) -> dict:
        """PSNR/SSIM on Y with a border of `scale` pixels cropped, as the literature reports them, and the
        fine texture kept (mean |Laplacian| of Y relative to the original's: what a GAN model adds); bicubic
        (PIL, antialiased) on the same inputs as the baseline. A folder of NAME_HR.png + NAME_LR.png pairs
        uses the given inputs when their ratio is the model's scale; otherwise inputs are made from each
        image by bicubic downscaling, or, with the `real` degradation, by the seeded real-photo pipeline (degrade.py).
        `halo` is the error on flat areas beside strong edges (metrics.edge_halo): ringing a GAN may add.
        Images are scored at full size (max_side is not used)."""
        s, settings = self.config.scale, settings or SuperResEvalConfig()
        real = settings.degradation == "real"
        rows, skipped = [], []
        files = [p for p in find_images(Path(data)) if "_LR" not in p.stem]
        for path in files:
            try:
                hr = as_channels(read_image(path), 3)
                hr = hr[: hr.shape[0] // s * s, : hr.shape[1] // s * s]
                lr_path = path.with_name(path.name.replace("_HR", "_LR"))
                given = "_HR" in path.stem and lr_path.exists() and not real
                lr = as_channels(read_image(lr_path), 3) if given else None
            except ImageError as exc:
                skipped.append({"file": str(path), "reason": str(exc)})
                continue
            if min(hr.shape[:2]) < 3 * s:  # a border of s is cropped off each side before scoring
                skipped.append({"file": str(path), "reason": f"too small to score at x{s}: under {3 * s} px a side"})
                continue
            if real:
                lr = real_degrade(hr, s, eval_rng(settings.seed, path.name))
            elif lr is None or lr.shape[:2] != (hr.shape[0] // s, hr.shape[1] // s):
                lr = bicubic_down(hr, s)
            out = predictor.upscale(lr)
            bicubic = bicubic_resize(lr, hr.shape[1], hr.shape[0])
            crop = (slice(s, -s), slice(s, -s))
            y_hr, y_out, y_bic = (luma(a)[crop] for a in (hr, out, bicubic))
            rows.append({"file": str(path.relative_to(data)), "size": f"{hr.shape[1]}x{hr.shape[0]}",
                         "psnr_y": metrics.psnr_range(y_hr, y_out, 255), "psnr_y_bicubic": metrics.psnr_range(y_hr, y_bic, 255),
                         "ssim_y": metrics.ssim_range(y_hr, y_out, 255), "ssim_y_bicubic": metrics.ssim_range(y_hr, y_bic, 255),
                         # Fine texture relative to the original's: 1 = as much as the truth, below = smoother.
                         "detail_ratio": metrics.detail(y_out) / max(metrics.detail(y_hr), 1e-9),
                         "detail_ratio_bicubic": metrics.detail(y_bic) / max(metrics.detail(y_hr), 1e-9),
                         # Ringing: error on flat areas beside strong edges, in gray levels (what GAN halos raise).
                         "halo": metrics.edge_halo(y_hr, y_out, 2 * s), "halo_bicubic": metrics.edge_halo(y_hr, y_bic, 2 * s)})
            if examples is not None:
                save_strip([bicubic, out, hr], Path(examples) / f"{path.stem}.png")
        if not rows:
            raise UserError(f"no readable images in '{data}'")
        mean = metrics.means(rows)
        return {"rows": rows, "summary": mean, "skipped": skipped, "scale": s,
                "checks": {"PSNR above bicubic": mean["psnr_y"] > mean["psnr_y_bicubic"]}}


class SuperResPredictor(Predictor):
    """Any size in, scale x the size out, tile by tile; gray stays gray, alpha is upscaled, 16-bit stays 16-bit."""

    batchable = False  # each image is cut into its own batches of tiles

    @property
    def output_scale(self) -> int:
        return self.recipe.config.scale

    def prepare(self, decoded: Decoded) -> Job:
        pixels = decoded.pixels
        rgb = cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB) if pixels.ndim == 2 else np.require(pixels, requirements=["C", "W"])
        return Job(torch.from_numpy(rgb), decoded)

    def forward(self, inputs: torch.Tensor) -> list[np.ndarray]:
        return [self.upscale(image.numpy()) for image in inputs]

    def onnx_graph(self):
        """G alone: RGB in [-1, 1] (pixel / 127.5 - 1), NCHW -> the same at scale x the size (tiling is the caller's)."""
        return self.generator, (torch.zeros(1, 3, 64, 64),), ["image"]

    def finish(self, job: Job, output: np.ndarray) -> Decoded:
        decoded = job.state
        out = cv2.cvtColor(output, cv2.COLOR_RGB2GRAY) if decoded.pixels.ndim == 2 else output
        alpha = decoded.alpha
        if alpha is not None:
            alpha = cv2.resize(alpha, (out.shape[1], out.shape[0]), interpolation=cv2.INTER_CUBIC)
        return Decoded(out, alpha, list(decoded.notes))

    @torch.inference_mode()
    def upscale(self, rgb: np.ndarray) -> np.ndarray:
        """uint8/uint16 HWC RGB -> the same dtype at scale x the size, tile by tile (gantools.infer.tiling): the
        default overlap covers the net's receptive radius, so the result equals the untiled one."""
        c, s = self.recipe.config, self.recipe.config.scale
        peak = peak_value(rgb.dtype)
        h, w = rgb.shape[:2]
        rgb = pad_to_multiple(rgb, c.size_multiple)
        out = np.empty((rgb.shape[0] * s, rgb.shape[1] * s, 3), rgb.dtype)
        for t in tiles(rgb.shape[0], rgb.shape[1], c.tile, c.tile_overlap):
            crop = rgb[t.cy0:t.cy1, t.cx0:t.cx1].astype(np.float32) * (2.0 / peak) - 1.0
            x = torch.from_numpy(np.ascontiguousarray(crop.transpose(2, 0, 1)))[None].to(self.device)
            with self.networks_in():
                y = self.generator(x)[0]
            y = y.float().clamp_(-1, 1).cpu().numpy()
            rows, cols = t.core_of(s)
            out[t.y0 * s : t.y1 * s, t.x0 * s : t.x1 * s] = np.round((y[:, rows, cols].transpose(1, 2, 0) + 1.0) * (peak / 2.0)).astype(rgb.dtype)
        return out[: h * s, : w * s]


def pad_to_multiple(rgb: np.ndarray, multiple: int) -> np.ndarray:
    """Bottom and right edges mirrored out to a multiple of `multiple`. Why: a long batch of images of thousands of
    sizes leaves glibc's heap fragmented by activations of every size (memory creeps for ever, issue 29); a few
    sizes are reused instead. The mirrored strip only changes the output within the net's receptive radius of it."""
    h, w = rgb.shape[:2]
    down, right = -h % multiple, -w % multiple
    if not (down or right):
        return rgb
    return cv2.copyMakeBorder(rgb, 0, down, 0, right, cv2.BORDER_REFLECT_101)


RECIPE = SuperResRecipe
