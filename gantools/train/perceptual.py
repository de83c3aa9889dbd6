"""A perceptual term for any two-player recipe: L1 between frozen ImageNet InceptionV3 features of G's output
and of the real image. Training only: the network P is in no phase and never exported, so inference needs
nothing new. The recipe's Config has `perceptual_weight` (0 = off) and `perceptual_stage`."""

from __future__ import annotations

import torch
from torch import nn

from gantools.nets.imagenet_weights import load_imagenet_weights
from gantools.nets.inception_trunk import STAGES, InceptionTrunk
from gantools.train.losses import l1

# The bundled copy of the weights (in the colorize model) stops at mixed_6.
PERCEPTUAL_STAGES = STAGES[: STAGES.index("mixed_6") + 1]


def check_perceptual(weight: float, stage: str) -> None:
    if weight < 0 or stage not in PERCEPTUAL_STAGES:
        raise ValueError(f"perceptual_weight must be >= 0 and perceptual_stage one of {', '.join(PERCEPTUAL_STAGES)}")


class PerceptualTerm:
    """Mixed in before the two-player base class: adds P when the weight is set, fills it with ImageNet weights
    when a run starts, remembers where they came from (checkpoint and card)."""

    perceptual_source = ""

    def build(self) -> dict[str, nn.Module]:
        networks = super().build()
        if self.config.perceptual_weight:
            networks["P"] = self._perceptual = InceptionTrunk(self.config.perceptual_stage).requires_grad_(False)
        return networks

    def pretrained(self, networks: dict[str, nn.Module]) -> None:
        if "P" in networks:
            self.perceptual_source = load_imagenet_weights(networks["P"])

    def state_dict(self) -> dict:
        return {"perceptual_source": self.perceptual_source} if self.config.perceptual_weight else {}

    def load_state_dict(self, state: dict) -> None:
        self.perceptual_source = state.get("perceptual_source", "")

    def perceptual_terms(self, fake: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
        """{"perceptual": weighted L1 of the features} when the weight is set, else {}."""
        if not self.config.perceptual_weight:
            return {}
        with torch.no_grad():
            want = self._perceptual(target)[0]
        return {"perceptual": self.config.perceptual_weight * l1(self._perceptual(fake.clamp(-1, 1))[0], want)}

    def perceptual_card(self) -> dict:
        if not self.config.perceptual_weight:
            return {}
        return {"perceptual_teacher": {"what": f"InceptionV3 (ImageNet) stages conv..{self.config.perceptual_stage}, frozen, "
                                               "training only (not in the model file)", "source": self.perceptual_source or "not recorded"}}
