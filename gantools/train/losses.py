"""Adversarial and reconstruction losses as plain functions of logits and tensors."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

ADVERSARIAL_LOSSES = ("bce", "bce-saturating", "lsgan", "hinge", "wgan-gp")
# Losses whose D targets are probabilities, so label smoothing and label noise mean something.
LABELLED_LOSSES = ("bce", "bce-saturating", "lsgan")


def check_loss(kind: str) -> str:
    if kind not in ADVERSARIAL_LOSSES:
        raise ValueError(f"unknown adversarial loss '{kind}' (choose from {', '.join(ADVERSARIAL_LOSSES)})")
    return kind


def _as_target(target: float | torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    if isinstance(target, torch.Tensor):
        return target.to(like.dtype).expand_as(like) if target.numel() == 1 else target.to(like.dtype).view_as(like)
    return torch.full_like(like, float(target))


def d_loss(
    kind: str,
    real_logits: torch.Tensor,
    fake_logits: torch.Tensor,
    real_target: float | torch.Tensor = 1.0,
    fake_target: float | torch.Tensor = 0.0,
) -> torch.Tensor:
    """Discriminator loss: push real logits towards "real" and fake logits towards "fake".

    Targets (used by bce and lsgan only) may be tensors shaped like the logits, which is how label
    smoothing and noisy labels reach the loss. Patch discriminators give logits of any shape: all are averaged.
    """
    if kind in ("bce", "bce-saturating"):
        real_t, fake_t = _as_target(real_target, real_logits), _as_target(fake_target, fake_logits)
        return F.binary_cross_entropy_with_logits(real_logits, real_t) + F.binary_cross_entropy_with_logits(fake_logits, fake_t)
    if kind == "lsgan":
        real_t, fake_t = _as_target(real_target, real_logits), _as_target(fake_target, fake_logits)
        return 0.5 * ((real_logits - real_t) ** 2).mean() + 0.5 * ((fake_logits - fake_t) ** 2).mean()
    if kind == "hinge":
        return F.relu(1.0 - real_logits).mean() + F.relu(1.0 + fake_logits).mean()
    if kind == "wgan-gp":
        return fake_logits.mean() - real_logits.mean()
    raise ValueError(f"unknown adversarial loss '{kind}'")


def g_loss(kind: str, fake_logits: torch.Tensor) -> torch.Tensor:
    """Generator loss on D's verdict about fakes."""
    if kind == "bce":
        # Non-saturating: maximise log D(G(z)); strong gradients while D still wins easily.
        return F.softplus(-fake_logits).mean()
    if kind == "bce-saturating":
        # The original minimax form, minimise log(1 - D(G(z))) = -softplus(logit); kept for teaching.
        return -F.softplus(fake_logits).mean()
    if kind == "lsgan":
        return 0.5 * ((fake_logits - 1.0) ** 2).mean()
    if kind in ("hinge", "wgan-gp"):
        return -fake_logits.mean()
    raise ValueError(f"unknown adversarial loss '{kind}'")


def r1_penalty(real_logits: torch.Tensor, real_inputs: torch.Tensor) -> torch.Tensor:
    """R1 (Mescheder et al. 2018): mean over samples of ||grad_x D(x)||^2 on real data.

    `real_inputs` must have requires_grad=True and have produced `real_logits`; the caller scales by gamma/2.
    """
    (grad,) = torch.autograd.grad(real_logits.sum(), real_inputs, create_graph=True)
    return grad.pow(2).flatten(1).sum(1).mean()


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, fake: torch.Tensor
) -> torch.Tensor:
    """WGAN-GP (Gulrajani et al. 2017): (||grad D(x_hat)|| - 1)^2 on random points between real and fake."""
    alpha = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), device=real.device, dtype=real.dtype)
    mixed = (alpha * real.detach() + (1 - alpha) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
    return ((grad.flatten(1).norm(2, dim=1) - 1.0) ** 2).mean()


def l1(fake: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.l1_loss(fake, target)


def l2(fake: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(fake, target)


def d_accuracy(real_logits: torch.Tensor, fake_logits: torch.Tensor, loss: str = "bce") -> torch.Tensor:
    """Mean of (real judged real) and (fake judged fake): 1.0 means D wins every time.

    D's verdict is "real" above 0, except for lsgan, whose targets are 1 and 0, so its midpoint is 0.5.
    A tensor, not a float, so the training loop never waits on the device for it.
    """
    threshold = 0.5 if loss == "lsgan" else 0.0
    return ((real_logits > threshold).float().mean() + (fake_logits <= threshold).float().mean()) / 2
