"""LeCam regularisation (Tseng et al., "Regularizing GANs under limited data", CVPR 2021).

D's outputs on real images are kept from rising above the running mean of its outputs on fakes, and its
outputs on fakes from falling below the running mean on reals. That bounds how far D can pull the two
apart when it sees few real images, the regime the augment recipe works in.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


class LeCam:
    """The two anchors (EMAs of D's mean logit on reals and on fakes) and the penalty they define."""

    def __init__(self, decay: float = 0.99):
        self.decay = decay
        self.anchor_real: float | None = None  # None until the first batch seeds it
        self.anchor_fake: float | None = None

    def update(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> None:
        real, fake = real_logits.detach().mean().item(), fake_logits.detach().mean().item()
        d = self.decay
        self.anchor_real = real if self.anchor_real is None else d * self.anchor_real + (1 - d) * real
        self.anchor_fake = fake if self.anchor_fake is None else d * self.anchor_fake + (1 - d) * fake

    def penalty(self, real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
        """Call after update(): mean relu(D(real) - anchor_fake)^2 + mean relu(anchor_real - D(fake))^2."""
        if self.anchor_real is None or self.anchor_fake is None:
            raise RuntimeError("LeCam.penalty before the first update")
        return F.relu(real_logits - self.anchor_fake).pow(2).mean() + F.relu(self.anchor_real - fake_logits).pow(2).mean()

    def state_dict(self) -> dict:
        return {"anchor_real": self.anchor_real, "anchor_fake": self.anchor_fake}

    def load_state_dict(self, state: dict) -> None:
        self.anchor_real, self.anchor_fake = state["anchor_real"], state["anchor_fake"]
