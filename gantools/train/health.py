"""Training that fails says so: symptoms read from the logged metrics and the preview samples, one warning each.

A GAN whose discriminator sits at chance learns nothing (the generator gets no signal), and one whose samples
collapse to near-copies of each other is of no use, yet the losses of both look calm. The trainer hands every
logged record (and, for recipes whose previews are independent samples, each preview) to a HealthWatch; a
symptom that lasts prints one line naming it and what to try, and goes into the model card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch

CHANCE_BAND = 0.03  # d_acc within 0.5 +- this is chance
CHANCE_STEPS = 500  # ... for this many steps in a row (after the first log) is a symptom
COLLAPSE_DISTANCE = 0.04  # mean |difference| between preview samples (pixels in [-1, 1]) below this is collapse

ADVICE = {
    "discriminator at chance": "try more discriminator steps per generator step (--d-steps 2 or 4), a higher --lr-d, "
                               "lighter augmentation for the data size (--diffaug), a larger discriminator, or check that "
                               "the images are what you think they are",
    "samples collapsed": "try more data or augmentation (--diffaug), a lower --lr-g, --r1-gamma, or resume from an earlier checkpoint",
}


@dataclass
class HealthWatch:
    say: Callable[[str], None]
    advice: dict[str, str] = field(default_factory=dict)  # a recipe's own words, by symptom
    warnings: list[dict] = field(default_factory=list)
    _chance_since: dict[str, int] = field(default_factory=dict)
    _warned: set = field(default_factory=set)

    def observe(self, record: dict) -> None:
        """One logged record: every discriminator's accuracy (`d_acc`, `d_acc_NAME`) is watched for chance."""
        step = int(record["step"])
        for key, value in record.items():
            if not key.startswith("d_acc") or not isinstance(value, (int, float)):
                continue
            if abs(value - 0.5) > CHANCE_BAND:
                self._chance_since.pop(key, None)
                continue
            since = self._chance_since.setdefault(key, step)
            if step - since >= CHANCE_STEPS:
                self._warn("discriminator at chance", key, since, step,
                           f"{key} has stayed within {0.5 - CHANCE_BAND:.2f}-{0.5 + CHANCE_BAND:.2f} from step {since} to {step}: "
                           "the discriminator cannot tell real from generated images, so the generator learns nothing")

    def observe_samples(self, images: torch.Tensor, step: int) -> None:
        """Independent samples (N, C, H, W in [-1, 1]): near-identical ones mean mode collapse."""
        if images.shape[0] < 4:
            return
        flat = images.detach().float().flatten(1)
        distance = float(torch.cdist(flat, flat, p=1).sum() / (flat.shape[0] * (flat.shape[0] - 1) * flat.shape[1]))
        if distance < COLLAPSE_DISTANCE:
            self._warn("samples collapsed", "samples", step, step,
                       f"the preview samples at step {step} are near-identical (mean difference {distance:.3f} of a pixel range of 2)")

    def _warn(self, symptom: str, key: str, first: int, last: int, what: str) -> None:
        if (symptom, key) in self._warned:
            return
        self._warned.add((symptom, key))
        advice = self.advice.get(symptom, ADVICE[symptom])
        self.warnings.append({"symptom": symptom, "what": what, "from_step": first, "to_step": last, "advice": advice})
        self.say(f"warning: {what}. What to try: {advice}.")
