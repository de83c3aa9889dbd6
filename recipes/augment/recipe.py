"""augment: a class-conditional GAN made for small classification datasets (class folders).

G: residual up-blocks with conditional batch norm (`nets/cbn.py`). D: the DCGAN discriminator with
spectral norm and a class projection. Hinge loss, DiffAugment on everything D sees (small data would
otherwise let D memorise), EMA of G. The resolution (32/64/128) and colour (gray/RGB) follow the data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from gantools.nets import standing_stats
from gantools.config import setting
from gantools.errors import UserError
from gantools.data.folders import SquareImages, channels_for, list_data, looks_gray
from gantools.nets.cbn import CBNGenerator
from gantools.nets.dcgan import DCGANDiscriminator
from gantools.train.two_player import Pair, TwoPlayerRecipe
from gantools.infer.sampling import LatentSampler
from gantools.recipes.augment.quality import AugmentEvalConfig

SIZES = (32, 64, 128)


@dataclass
class AugmentConfig:
    size: int = setting("training resolution: 32, 64 or 128; 0 = chosen from the data's typical image size", 0)
    color: str = setting("auto (gray if the data is gray), gray or rgb", "auto")
    fit: str = setting("how images become squares: crop (centre) or pad (whole image on white)", "crop")
    z_dim: int = setting("length of the noise vector", 128)
    g_base: int = setting("G's channels at full resolution", 32)
    d_base: int = setting("D's channels at full resolution", 32)

    def __post_init__(self):
        if self.size not in (0, *SIZES):
            raise ValueError(f"size must be 0 (auto) or one of {', '.join(map(str, SIZES))}")
        if self.color not in ("auto", "gray", "rgb"):
            raise ValueError("color must be auto, gray or rgb")
        if self.fit not in ("crop", "pad"):
            raise ValueError("fit must be crop or pad")


def typical_side(files: list[Path], probe: int = 64) -> int:
    """Median shorter side of a sample of the images (headers only)."""
    sides = []
    for path in files[:: max(1, len(files) // probe)][:probe]:
        try:
            with Image.open(path) as im:
                sides.append(min(im.size))
        except Exception:  # unreadable files are reported by the dataset, not here
            continue
    return int(np.median(sides)) if sides else SIZES[0]


def size_for(side: int) -> int:
    """The training resolution nearest the data's own from above (small images are not worth 128)."""
    return next((s for s in SIZES if side <= s * 1.4), SIZES[-1])


def truncated_noise(n: int, dim: int, truncation: float | None, generator: torch.Generator) -> torch.Tensor:
    """z ~ N(0, I); with truncation t, entries beyond +-t are redrawn: less variety, higher fidelity."""
    z = torch.randn(n, dim, generator=generator)
    if truncation:
        for _ in range(100):
            bad = z.abs() > truncation
            if not bad.any():
                break
            z[bad] = torch.randn(int(bad.sum()), generator=generator)
        z.clamp_(-truncation, truncation)
    return z


class ClassSampler(LatentSampler):
    """Samples with z ~ N(0, I) or truncated noise; the BN statistics follow the noise it is given."""

    def __init__(self, recipe: "AugmentRecipe", networks: dict[str, nn.Module], device: torch.device):
        super().__init__(recipe, networks, device)
        self.truncation: float | None = None
        self._plain = standing_stats.bn_buffers(self.generator)

    def use_truncation(self, truncation: float | None) -> None:
        """Truncated z has a smaller spread than the z the BN statistics were measured on; without new ones the
        samples shrink toward one blurred average image. Deterministic, so a manifest's seed still makes its image."""
        if truncation == self.truncation:
            return
        self.generator.load_state_dict(self._plain, strict=False)
        if truncation:
            z_dim = self.z_dim
            standing_stats.for_latent_generator(self.recipe, self.generator, lambda n, g: truncated_noise(n, z_dim, truncation, g))
        self.truncation = truncation


class AugmentRecipe(TwoPlayerRecipe):
    name = "augment"
    previews_are_samples = True  # grids of G(z): near-identical ones mean collapse
    summary = "class-conditional GAN for small datasets: CBN generator, projection D with SN, hinge, DiffAugment, EMA"
    Config = AugmentConfig
    EvalConfig = AugmentEvalConfig
    # Four D steps per G step (as DiffAugment's BigGAN on CIFAR-10 at 10%): with one, G kept D at chance on photos.
    train_defaults = {"loss": "hinge", "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.0, "beta2": 0.99, "batch_size": 32,
                      "steps": 3000, "d_steps": 4, "ema_decay": 0.999, "diffaug": "color,translation,cutout"}

    @property
    def channels(self) -> int:
        return channels_for(self.config.color)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def dataset(self, data: str | Path) -> SquareImages:
        listing = list_data(data, conditional=True)
        c = self.config
        if c.color == "auto":
            c = replace(c, color="gray" if looks_gray(listing.files) else "rgb")
        if c.size == 0:
            c = replace(c, size=size_for(typical_side(listing.files)))
        self.config = c
        self.classes = listing.classes
        return SquareImages(listing, self.channels, c.size, fit=c.fit)

    def build_generator(self) -> nn.Module:
        c = self.config
        if c.size == 0:
            raise UserError("size is 0 (chosen from the data): read the data (recipe.dataset) before building networks, or set --size")
        return CBNGenerator(c.z_dim, self.channels, c.size, self.n_classes, c.g_base)

    def build_discriminator(self) -> nn.Module:
        c = self.config
        return DCGANDiscriminator(self.channels, c.size, c.d_base, self.n_classes, spectral_norm=True)

    def make_pair(self, batch, device: torch.device) -> Pair:
        images, labels = batch
        target = images.to(device, non_blocking=True).float().div_(127.5).sub_(1.0)
        z = torch.randn(target.shape[0], self.config.z_dim, device=device)
        return Pair((z, labels.to(device)), target)

    def d_view(self, condition, image):
        return image, {"labels": condition[1]}

    def preview_condition(self, dataset, n, device, generator):
        per_class = max(1, min(8, n // max(1, self.n_classes)))
        labels = torch.arange(self.n_classes).repeat_interleave(per_class)
        z = torch.randn(labels.numel(), self.config.z_dim, generator=generator)
        return (z.to(device), labels.to(device)), per_class

    def preview(self, generator, condition, extra):
        return self.generate(generator, condition), extra

    def finalize(self, networks: dict[str, nn.Module]) -> None:
        # The EMA generator's BN buffers were copied from the live G: measure its own instead.
        standing_stats.for_latent_generator(self, networks["G"])

    def card(self) -> dict:
        return {"image_size": self.config.size, "channels": self.channels, "z_dim": self.config.z_dim,
                "input": "z ~ N(0, I) and a class index", "output": f"{self.config.size}x{self.config.size} image in [-1, 1]",
                "bn_statistics": f"standing: measured on {standing_stats.DRAWS} draws of z ~ N(0, I) after training"}

    def predictor(self, networks: dict[str, nn.Module], device: torch.device) -> ClassSampler:
        return ClassSampler(self, networks, device)

    def evaluate(self, predictor: ClassSampler, data: Path, max_side: int, examples: Path | None,
                 settings: AugmentEvalConfig | None = None) -> dict:
        """FID (pooled and per class) and CAS of the samples against held-out class folders (quality.py)."""
        from gantools.recipes.augment import quality

        return quality.evaluate(self, predictor, data, examples, settings)


RECIPE = AugmentRecipe
