"""infogan: images from noise plus codes the model gives a meaning to by itself (Chen et al. 2016).

G(z, c) with a categorical code (K values) and continuous codes (uniform on [-1, 1]); D and Q share D's trunk
(net.py). Two phases: "d" trains D on real against fake (the shared trunk learns from D's loss alone); "g"
trains G and Q together on the adversarial term plus the mutual-information term: cross-entropy of Q's
categorical prediction on G's output (weight cat_weight) and the Gaussian negative log-likelihood of the
continuous codes (weight cont_weight). `mi_cat` in metrics.jsonl is ln K minus that cross-entropy, a lower
bound on I(c; G(z, c)) that approaches ln K when the code is fully recoverable. Labels are never used in
training: class subfolders are read as plain images; `gantools eval infogan` uses them to score the code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gantools.config import setting
from gantools.data.folders import SquareImages, channels_for, find_images, list_data, load_square, looks_gray
from gantools.errors import UserError
from gantools.files.imageio import ImageError
from gantools.infer.sampling import LatentSampler
from gantools.nets import standing_stats
from gantools.recipe import Recipe
from gantools.train.phases import Phase, PhaseContext

from .consistency import pair_information, random_warp
from .net import InfoDiscriminator, InfoGenerator, QHead


@dataclass
class InfoGANConfig:
    size: int = setting("image size: a power of two from 16 to 128", 32)
    color: str = setting("auto (gray if the data is gray), gray or rgb", "auto")
    noise: int = setting("length of the incompressible noise z", 62)
    noise_std: float = setting("scale of the noise inside G (1: standard normal; ClusterGAN uses 0.1 so the codes carry "
                               "more); sampling and `--code` still draw standard-normal noise", 1.0)
    categorical: int = setting("values of the categorical code c1 (at least 2)", 10)
    continuous: int = setting("continuous codes c2, c3, ... (uniform on [-1, 1]; 0 = none)", 2)
    base: int = setting("channels of the widest-resolution conv layer", 64)
    cat_weight: float = setting("weight of the categorical mutual-information term", 1.0)
    # At 0.1, Q's error on the digits' continuous codes stayed at the codes' own variance: G left them unused.
    cont_weight: float = setting("weight of the continuous codes' Gaussian negative log-likelihood", 1.0)
    learned_variance: bool = setting("Q predicts each continuous code's variance too (off: variance 1)", False)
    info_trains_d: bool = setting("the mutual-information term trains D's trunk too, Q updated with D (as the paper's "
                                  "own code does); off: Q is updated with G, the trunk learns from D's loss alone", False)
    real_consistency: float = setting("weight of Q's invariant-clustering term on real images (consistency.py): the same "
                                      "code for two warped views of a real image, every code used equally; 0 = off", 0.0)
    overcluster: int = setting("with real_consistency: clusters of a second, training-only head of Q that clusters the "
                               "same views more finely (IIC's auxiliary over-clustering; 0 = none)", 0)

    def __post_init__(self):
        if self.size not in (16, 32, 64, 128):
            raise ValueError(f"size must be a power of two from 16 to 128, got {self.size}")
        if self.color not in ("auto", "gray", "rgb"):
            raise ValueError(f"color must be auto, gray or rgb, got '{self.color}'")
        if self.categorical < 2:
            raise ValueError(f"categorical must be at least 2, got {self.categorical}")
        if self.continuous < 0:
            raise ValueError(f"continuous must not be negative, got {self.continuous}")
        if self.noise < 1 or self.base < 1 or min(self.cat_weight, self.cont_weight, self.real_consistency) < 0 or not self.noise_std > 0:
            raise ValueError("noise, noise_std and base must be positive, weights not negative")
        if self.overcluster < 0 or self.overcluster == 1:
            raise ValueError(f"overcluster must be 0 (none) or at least 2, got {self.overcluster}")


def code_names(config: InfoGANConfig) -> dict[str, tuple[str, int]]:
    """c1 is the categorical code (its K values); c2, c3, ... the continuous ones."""
    return {"c1": ("categorical", config.categorical), **{f"c{i + 2}": ("continuous", i) for i in range(config.continuous)}}


class InfoGANRecipe(Recipe):
    name = "infogan"
    previews_are_samples = True  # grids of G(z): near-identical ones mean collapse
    summary = "images from noise + codes it discovers itself (a categorical and continuous ones): steer generation"
    Config = InfoGANConfig
    bundled_default = "infogan-digits"
    train_defaults = {"lr_g": 1e-3, "lr_d": 2e-4, "beta1": 0.5, "loss": "bce", "batch_size": 64, "steps": 3000, "ema_decay": 0.999}
    ema_networks = ("G",)
    export_networks = ("G", "D", "Q")  # D's trunk and Q read codes off real images (eval)

    @property
    def channels(self) -> int:
        return channels_for(self.config.color)

    def dataset(self, data: str | Path) -> SquareImages:
        listing = list_data(data, conditional=False)  # class subfolders are plain images here: no labels
        if self.config.color == "auto":
            self.config = replace(self.config, color="gray" if looks_gray(listing.files) else "rgb")
        return SquareImages(listing, self.channels, self.config.size)

    def build(self) -> dict[str, nn.Module]:
        c = self.config
        d = InfoDiscriminator(self.channels, c.size, c.base)
        return {"G": InfoGenerator(c.noise, c.categorical, c.continuous, self.channels, c.size, c.base, c.noise_std), "D": d,
                "Q": QHead(d.out.in_features, c.categorical, c.continuous, overcluster=c.overcluster)}

    def generate(self, generator: nn.Module, condition: tuple[torch.Tensor, ...]) -> torch.Tensor:
        return generator(*condition)

    def phases(self, cfg) -> list[Phase]:
        betas = (cfg.beta1, cfg.beta2)
        with_d, with_g = (("D", "Q"), ("G",)) if self.config.info_trains_d else (("D",), ("G", "Q"))
        return [Phase("d", with_d, self.d_loss, cfg.lr_d, betas),
                Phase("g", with_g, self.g_loss, cfg.lr_g, betas, new_batch=False)]

    def d_loss(self, ctx: PhaseContext) -> dict[str, torch.Tensor]:
        g = ctx.nets["G"]
        real = self.real_images(ctx)
        z = torch.randn(real.shape[0], g.z_dim, device=ctx.device)
        with torch.no_grad():
            fake = g(z)
        terms = ctx.adversary.d_terms(ctx.nets["D"], (real, {}), (fake, {}), log=ctx.log)
        if self.config.info_trains_d:
            terms |= self.info_terms(ctx, fake, *g.codes_of(z), log=False) | self.consistency_terms(ctx, real)
        return terms

    def g_loss(self, ctx: PhaseContext) -> dict[str, torch.Tensor]:
        g, d = ctx.nets["G"], ctx.nets["D"]
        z = torch.randn(ctx.batch[0].shape[0], g.z_dim, device=ctx.device)
        fake = g(z)
        terms = {"adv": ctx.adversary.g_term(d, (fake, {}))} | self.info_terms(ctx, fake, *g.codes_of(z))
        if not self.config.info_trains_d:  # Q trains in this phase (the batch is the D phase's own)
            terms |= self.consistency_terms(ctx, self.real_images(ctx))
        return terms

    @staticmethod
    def real_images(ctx: PhaseContext) -> torch.Tensor:
        """The step's batch of real images in [-1, 1]."""
        return ctx.batch[0].to(ctx.device).float().div(127.5).sub(1.0)

    def consistency_terms(self, ctx: PhaseContext, real: torch.Tensor) -> dict[str, torch.Tensor]:
        """ln K minus the information between Q's codes for two warped views of each real image, weighted."""
        weight = self.config.real_consistency
        if not weight:
            return {}
        trunk = getattr(ctx.nets["D"], "module", ctx.nets["D"])
        views = trunk.embedding(torch.cat([random_warp(real), random_warp(real)]))
        heads = ctx.nets["Q"](views, with_over=bool(self.config.overcluster))
        clusterings = {"": (heads[0], self.config.categorical)}
        if self.config.overcluster:
            clusterings["_over"] = (heads[3], self.config.overcluster)
        terms = {}
        for suffix, (logits, k) in clusterings.items():
            information = pair_information(*logits.chunk(2))
            ctx.log(f"mi_real{suffix}", information.detach())
            terms[f"info_real{suffix}"] = weight * (math.log(k) - information)
        return terms

    def info_terms(self, ctx: PhaseContext, fake, index, values, log: bool = True) -> dict[str, torch.Tensor]:
        """Q's cross-entropy on the categorical code and Gaussian NLL on the continuous ones, weighted."""
        c = self.config
        trunk = getattr(ctx.nets["D"], "module", ctx.nets["D"])  # the bare D (DDP-wrapped when it trains)
        logits, mean, log_var = ctx.nets["Q"](trunk.embedding(fake))
        ce = F.cross_entropy(logits.float(), index)
        if log:
            ctx.log("mi_cat", math.log(c.categorical) - ce.detach())
        terms = {"info_cat": c.cat_weight * ce}
        if c.continuous:
            log_var = log_var.float() if c.learned_variance else torch.zeros_like(mean, dtype=torch.float32)
            nll = 0.5 * (log_var + (values - mean.float()) ** 2 / log_var.exp()).mean()
            terms["info_cont"] = c.cont_weight * nll
        return terms

    def preview_condition(self, dataset, n, device, generator):
        """Rows: the categorical code's values; columns: the same noise, continuous codes at 0."""
        c = self.config
        columns = max(1, min(8, n // c.categorical))
        noise = torch.randn(columns, c.noise, generator=generator).repeat(c.categorical, 1)
        index = torch.arange(c.categorical).repeat_interleave(columns)
        return noise.to(device), index.to(device), torch.zeros(noise.shape[0], c.continuous, device=device), columns

    @torch.no_grad()
    def preview_images(self, networks, prepared):
        noise, index, values, columns = prepared
        return networks["G"].from_codes(noise, index, values), columns

    def finalize(self, networks: dict[str, nn.Module]) -> None:
        # The EMA generator's BN buffers were copied from the live G: measure its own instead.
        standing_stats.for_latent_generator(self, networks["G"])

    def card(self) -> dict:
        return {"image_size": self.config.size, "channels": self.channels, "z_dim": self.config.noise,
                "codes": {name: (f"categorical, {k} values" if kind == "categorical" else "continuous, uniform on [-1, 1]")
                          for name, (kind, k) in code_names(self.config).items()}}

    def predictor(self, networks: dict[str, nn.Module], device: torch.device) -> "InfoSampler":
        return InfoSampler(self, networks, device)

    def evaluate(self, predictor: "InfoSampler", data: Path, max_side: int, examples: Path | None, settings=None) -> dict:
        """Unsupervised accuracy of the categorical code: Q's prediction on each real image of a class-folder set,
        the K codes mapped one-to-one to the classes by the best assignment (Hungarian); the share right."""
        from scipy.optimize import linear_sum_assignment

        listing = list_data(data, conditional=True)
        c, rows, skipped = self.config, [], []
        d, q = predictor.networks["D"], predictor.networks["Q"]
        for path, label in zip(listing.files, listing.labels):
            try:
                pixels = load_square(path, self.channels, c.size)
            except ImageError as exc:
                skipped.append({"file": str(path), "reason": str(exc)})
                continue
            x = torch.from_numpy(np.ascontiguousarray(pixels.transpose(2, 0, 1))).float().div(127.5).sub(1.0)[None]
            with torch.inference_mode():
                logits, _, _ = q(d.embedding(x.to(predictor.device)))
            rows.append({"file": str(path.relative_to(data)), "class": listing.classes[label], "label": label, "code": int(logits.argmax(1))})
        if not rows:
            raise UserError(f"no readable images in the class folders of '{data}'")
        counts = np.zeros((c.categorical, len(listing.classes)), int)
        for row in rows:
            counts[row["code"], row["label"]] += 1
        codes, classes = linear_sum_assignment(counts, maximize=True)
        mapping = {int(k): listing.classes[j] for k, j in zip(codes, classes)}
        right = sum(mapping.get(r["code"]) == r["class"] for r in rows)
        accuracy = right / len(rows)
        for row in rows:
            row["code_means"] = mapping.get(row["code"], "(no class)")
        return {"rows": rows, "skipped": skipped, "summary": {"accuracy": accuracy, "images": len(rows)},
                "mapping": {f"c1={k}": v for k, v in sorted(mapping.items())}, "checks": {"accuracy at least 90%": accuracy >= 0.9}}


class InfoSampler(LatentSampler):
    """A latent sampler whose latent also holds named codes: c1 categorical, c2... continuous (code_names)."""

    @property
    def codes(self) -> dict[str, tuple[str, int]]:
        return code_names(self.recipe.config)

    @torch.inference_mode()
    def from_codes(self, noise: torch.Tensor, index: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        g = self.generator
        return g.from_codes(noise.to(self.device), index.to(self.device), values.to(self.device)).float().cpu()


RECIPE = InfoGANRecipe
