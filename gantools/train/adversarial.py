"""The adversarial toolbox every recipe shares, for any number of discriminators: the loss kind, one-sided
label smoothing and noisy labels, DiffAugment, R1, the WGAN gradient penalty and LeCam, all set by TrainConfig.

A recipe's phase calls `d_terms` to train a discriminator and `g_term` to train against one; the state that
must survive a resume (R1's update count and LeCam's anchors, per discriminator) is checkpointed.
"""

from __future__ import annotations

import torch
from torch import nn

from gantools.train.diffaug import diff_augment, parse_policy
from gantools.train.lecam import LeCam
from gantools.train.losses import LABELLED_LOSSES, d_accuracy, d_loss, g_loss, gradient_penalty, r1_penalty
from gantools.train.trainconfig import TrainConfig


class Adversary:
    def __init__(self, cfg: TrainConfig):
        self.cfg = cfg
        self.policy = parse_policy(cfg.diffaug)
        self.d_updates: dict[str, int] = {}  # per discriminator: R1 runs every r1_every of its updates
        self.lecam: dict[str, LeCam] = {}

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        return diff_augment(x, self.policy)

    def d_terms(self, D: nn.Module, real: tuple[torch.Tensor, dict], fake: tuple[torch.Tensor, dict],
                name: str = "D", log=None) -> dict[str, torch.Tensor]:
        """D's weighted loss terms: real (image-like tensor, keyword inputs) judged "real", fake (detached) "fake".

        `log(name, value)`, when given, records D's accuracy and the raw penalties."""
        cfg = self.cfg
        (real_x, real_kw), (fake_x, fake_kw) = real, fake
        updates = self.d_updates.get(name, 0)
        use_r1 = cfg.r1_gamma > 0 and updates % cfg.r1_every == 0
        if use_r1:
            real_x = real_x.detach().requires_grad_(True)
        real_logits = D(self.augment(real_x), **real_kw).float()
        fake_logits = D(self.augment(fake_x), **fake_kw).float()
        real_t, fake_t = self._targets(real_logits, fake_logits)
        terms = {"adv": d_loss(cfg.loss, real_logits, fake_logits, real_t, fake_t)}
        if cfg.loss == "wgan-gp":
            gp = gradient_penalty(lambda x: D(self.augment(x), **real_kw).float(), real_x, fake_x)
            terms["gp"] = cfg.gp_weight * gp
            log and log("gp", gp)
        if cfg.lecam_weight > 0:  # under DDP each process keeps its own anchors (rank 0's are checkpointed)
            lecam = self.lecam.setdefault(name, LeCam())
            lecam.update(real_logits, fake_logits)
            penalty = lecam.penalty(real_logits, fake_logits)
            terms["lecam"] = cfg.lecam_weight * penalty
            log and log("lecam", penalty)
        if use_r1:
            r1 = r1_penalty(real_logits, real_x)
            terms["r1"] = (cfg.r1_gamma / 2) * cfg.r1_every * r1
            log and log("r1", r1)
        self.d_updates[name] = updates + 1
        if log:
            log("d_acc" if name == "D" else f"d_acc_{name}", d_accuracy(real_logits.detach(), fake_logits.detach(), cfg.loss))
        return terms

    def g_term(self, D: nn.Module, fake: tuple[torch.Tensor, dict]) -> torch.Tensor:
        """The generator's adversarial loss: its fakes judged by D (frozen, the bare module) as "real"."""
        fake_x, fake_kw = fake
        return g_loss(self.cfg.loss, D(self.augment(fake_x), **fake_kw).float())

    def _targets(self, real_logits: torch.Tensor, fake_logits: torch.Tensor):
        """D's targets: one-sided smoothing lowers "real" to 1 - s; noisy labels flip a random share."""
        cfg = self.cfg
        if cfg.loss not in LABELLED_LOSSES or not (cfg.label_smoothing or cfg.label_noise):
            return 1.0, 0.0
        real_value = 1.0 - cfg.label_smoothing
        real_t = torch.full_like(real_logits, real_value)
        fake_t = torch.zeros_like(fake_logits)
        if cfg.label_noise:
            real_t = torch.where(torch.rand_like(real_t) < cfg.label_noise, torch.zeros_like(real_t), real_t)
            fake_t = torch.where(torch.rand_like(fake_t) < cfg.label_noise, torch.full_like(fake_t, real_value), fake_t)
        return real_t, fake_t

    def state_dict(self) -> dict:
        return {"d_updates": dict(self.d_updates), "lecam": {k: v.state_dict() for k, v in self.lecam.items()}}

    def load_state_dict(self, state: dict) -> None:
        self.d_updates = {k: int(v) for k, v in state.get("d_updates", {}).items()}
        if self.cfg.lecam_weight > 0:  # anchors missing from an older run are seeded again from the next batch
            for name, anchors in state.get("lecam", {}).items():
                self.lecam.setdefault(name, LeCam()).load_state_dict(anchors)
