"""dcgan: unconditional or class-conditional image synthesis from noise (GAN, DCGAN, CGAN).

`--arch mlp` is the textbook GAN (two linear layers each); `--arch dcgan` the strided-convolution DCGAN.
With `--conditional`, labels come from the data's subfolders: an embedding in G, a projection in D.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from torch import nn

from gantools.nets import standing_stats
from gantools.config import setting
from gantools.data.folders import SquareImages, channels_for, list_data, looks_gray
from gantools.nets.dcgan import DCGANDiscriminator, DCGANGenerator
from gantools.nets.mlp import MLPDiscriminator, MLPGenerator
from gantools.train.two_player import Pair, TwoPlayerRecipe
from gantools.infer.sampling import LatentSampler



@dataclass
class DCGANConfig:
    arch: str = setting("mlp (two linear layers each) or dcgan (strided convolutions)", "dcgan")
    size: int = setting("image size: a power of two from 16 to 128", 64)
    color: str = setting("auto (gray if the data is gray), gray or rgb", "auto")
    conditional: bool = setting("class-conditional (CGAN): one subfolder per class", False)
    z_dim: int = setting("length of the noise vector z ~ N(0, I)", 100)
    base: int = setting("dcgan: channels of the widest-resolution conv layer", 64)
    hidden: int = setting("mlp: hidden units", 512)
    spectral_norm: bool = setting("spectral normalisation in D", False)
    minibatch_std: bool = setting("minibatch standard-deviation channel in D (dcgan)", False)
    flip: bool = setting("random horizontal flips of real images", False)

    def __post_init__(self):
        if self.arch not in ("mlp", "dcgan"):
            raise ValueError(f"arch must be mlp or dcgan, got '{self.arch}'")
        if self.size not in (16, 32, 64, 128):
            raise ValueError(f"size must be a power of two from 16 to 128, got {self.size}")
        if self.color not in ("auto", "gray", "rgb"):
            raise ValueError(f"color must be auto, gray or rgb, got '{self.color}'")
        if self.z_dim < 1 or self.base < 1 or self.hidden < 1:
            raise ValueError("z_dim, base and hidden must be positive")


class DCGANRecipe(TwoPlayerRecipe):
    name = "dcgan"
    previews_are_samples = True  # grids of G(z): near-identical ones mean collapse
    summary = "images from noise: textbook GAN (--arch mlp) or DCGAN, optionally class-conditional"
    Config = DCGANConfig
    train_defaults = {"lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "loss": "bce", "ema_decay": 0.999}

    @property
    def channels(self) -> int:
        return channels_for(self.config.color)

    @property
    def n_classes(self) -> int:
        return len(self.classes) if self.config.conditional else 0

    def dataset(self, data: str | Path) -> SquareImages:
        listing = list_data(data, conditional=self.config.conditional)
        if self.config.color == "auto":
            self.config = replace(self.config, color="gray" if looks_gray(listing.files) else "rgb")
        self.classes = listing.classes
        return SquareImages(listing, self.channels, self.config.size)

    def build_generator(self) -> nn.Module:
        c = self.config
        if c.arch == "mlp":
            return MLPGenerator(c.z_dim, self.channels, c.size, c.hidden, self.n_classes)
        return DCGANGenerator(c.z_dim, self.channels, c.size, c.base, self.n_classes)

    def build_discriminator(self) -> nn.Module:
        c = self.config
        if c.arch == "mlp":
            return MLPDiscriminator(self.channels, c.size, c.hidden, self.n_classes, c.spectral_norm)
        return DCGANDiscriminator(self.channels, c.size, c.base, self.n_classes, c.spectral_norm, c.minibatch_std)

    def make_pair(self, batch, device: torch.device) -> Pair:
        images, labels = batch
        target = images.to(device, non_blocking=True).float().div_(127.5).sub_(1.0)
        if self.config.flip:
            flip = torch.rand(target.shape[0], device=device) < 0.5
            target = torch.where(flip.view(-1, 1, 1, 1), target.flip(3), target)
        z = torch.randn(target.shape[0], self.config.z_dim, device=device)
        if self.n_classes:
            return Pair((z, labels.to(device)), target)
        return Pair((z,), target)

    def d_view(self, condition, image):
        return (image, {"labels": condition[1]}) if self.n_classes else (image, {})

    def preview_condition(self, dataset, n, device, generator):
        if self.n_classes:
            per_class = max(1, n // self.n_classes)
            labels = torch.arange(self.n_classes).repeat_interleave(per_class)
            z = torch.randn(labels.numel(), self.config.z_dim, generator=generator)
            return (z.to(device), labels.to(device)), per_class
        z = torch.randn(n, self.config.z_dim, generator=generator)
        return (z.to(device),), max(1, int(math.sqrt(n)))

    def preview(self, generator, condition, extra):
        return self.generate(generator, condition), extra

    def finalize(self, networks: dict[str, nn.Module]) -> None:
        # The EMA generator's BN buffers were copied from the live G: measure its own instead.
        standing_stats.for_latent_generator(self, networks["G"])

    def card(self) -> dict:
        return {"image_size": self.config.size, "channels": self.channels, "z_dim": self.config.z_dim}

    def predictor(self, networks: dict[str, nn.Module], device: torch.device) -> LatentSampler:
        return LatentSampler(self, networks, device)


RECIPE = DCGANRecipe
