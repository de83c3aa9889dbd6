"""The trainer's settings: defaults that work, overridden by a YAML file or --set key=value."""

from __future__ import annotations

from dataclasses import dataclass

from gantools.config import setting
from gantools.train.diffaug import parse_policy
from gantools.train.losses import ADVERSARIAL_LOSSES, LABELLED_LOSSES



@dataclass
class TrainConfig:
    steps: int = setting("training iterations, pre-training and D warm-up included", 2000)
    minutes: float = setting("also stop (and export) after this many minutes of training; 0 = no time limit", 0.0)
    batch_size: int = setting("images per step and per process", 64)
    lr_g: float = setting("generator learning rate (Adam)", 2e-4)
    lr_d: float = setting("discriminator learning rate (Adam); differs from lr_g for TTUR", 2e-4)
    lr_schedule: str = setting("constant; cosine: both learning rates decay to 0 over the run (pre-training and adversarial phases each); linear: constant, then straight to 0 over the last lr_decay_fraction of each phase (CycleGAN's)", "constant")
    lr_decay_fraction: float = setting("linear schedule: the share of each phase's steps over which the rates fall to 0", 0.5)
    beta1: float = setting("Adam beta1", 0.5)
    beta2: float = setting("Adam beta2", 0.999)
    loss: str = setting(f"adversarial loss: {', '.join(ADVERSARIAL_LOSSES)}", "bce")
    gp_weight: float = setting("gradient penalty weight for wgan-gp", 10.0)
    r1_gamma: float = setting("R1 penalty weight on real data (0 = off)", 0.0)
    r1_every: int = setting("apply R1 every N D steps (lazy regularisation)", 1)
    lecam_weight: float = setting("LeCam regulariser on D for small data (Tseng et al. 2021; 0 = off, paper: 0.3)", 0.0)
    d_steps: int = setting("discriminator steps per generator step", 1)
    d_warmup: int = setting("steps at the start (after pre-training) that train D alone", 0)
    pretrain_steps: int = setting("steps at the start that train G alone on the reconstruction loss", 0)
    label_smoothing: float = setting("one-sided: real target = 1 - this (bce/lsgan)", 0.0)
    label_noise: float = setting("probability of flipping each D label (bce/lsgan)", 0.0)
    init: str = setting("start G from this model's weights (run folder, model folder or file, bundled name); '' = random", "")
    init_partial: bool = setting("with init: take only the tensors whose names and shapes match (e.g. a x4 model's body for a x2 run); the rest start random", False)
    ema_decay: float = setting("EMA of G weights (0 = off); the EMA generator is the one exported", 0.999)
    ema_start: int = setting("step from which the EMA averages (before: it copies G)", 0)
    diffaug: str = setting("DiffAugment policy on D inputs, e.g. color,translation,cutout ('' = off)", "")
    amp: bool = setting("bfloat16 autocast on CUDA (ignored on CPU)", True)
    channels_last: bool = setting("conv weights, and so activations, in channels-last memory format (faster with oneDNN on CPU)", True)
    device: str = setting("auto (cuda > mps > cpu), cpu, cuda, cuda:N, mps", "auto")
    seed: int = setting("random seed; a CPU run with the same seed repeats exactly", 0)
    workers: int = setting("data loader processes when images are decoded on the fly", 2)
    log_every: int = setting("steps between metrics.jsonl lines", 50)
    sample_every: int = setting("steps between sample grids (0 = only at the end)", 500)
    checkpoint_every: int = setting("steps between checkpoints (always one at the end)", 500)
    preview: int = setting("images in each sample grid", 64)

    def __post_init__(self):
        if self.minutes < 0:
            raise ValueError("minutes must not be negative")
        if self.loss not in ADVERSARIAL_LOSSES:
            raise ValueError(f"loss must be one of {', '.join(ADVERSARIAL_LOSSES)}, got '{self.loss}'")
        for name in ("steps", "batch_size", "d_steps", "r1_every", "log_every", "checkpoint_every", "preview"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        for name in ("d_warmup", "pretrain_steps", "ema_start", "sample_every", "workers", "r1_gamma", "lecam_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError("ema_decay must be in [0, 1)")
        if not 0.0 <= self.label_smoothing < 0.5 or not 0.0 <= self.label_noise < 0.5:
            raise ValueError("label_smoothing and label_noise must be in [0, 0.5)")
        if (self.label_smoothing or self.label_noise) and self.loss not in LABELLED_LOSSES:
            raise ValueError(f"label smoothing/noise need a labelled loss ({', '.join(LABELLED_LOSSES)}), not {self.loss}")
        if min(self.lr_g, self.lr_d) <= 0:
            raise ValueError("learning rates must be positive")
        if self.lr_schedule not in ("constant", "cosine", "linear"):
            raise ValueError(f"lr_schedule must be constant, cosine or linear, got '{self.lr_schedule}'")
        if not 0.0 < self.lr_decay_fraction <= 1.0:
            raise ValueError("lr_decay_fraction must be in (0, 1]")
        parse_policy(self.diffaug)
