"""Colour codes for sketch2photo: a random vector joins the drawing as constant input channels, so one drawing can
become differently coloured photos, and a diversity term (Yang et al. 2019; Mao et al. 2019) keeps G from ignoring it.

Why: a drawing does not say which colour a thing is. A deterministic G must pick one answer per drawing, and the
safest is the warm brown average of the possible colours; with a code, G can give a blue sky for one code and a
gray one for another, and over many drawings the mix of hues can be the photos'. At inference each drawing's code
comes from its own pixels (the same drawing always gives the same photo) and `code_seed` picks another variation.
"""

from __future__ import annotations

import hashlib

import numpy as np
import torch


def with_code(drawing: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
    """Drawing (N, 1, H, W) and code (N, Z) -> (N, 1 + Z, H, W): the code as constant channels."""
    return torch.cat([drawing, code[:, :, None, None].to(drawing.dtype).expand(-1, -1, *drawing.shape[-2:])], 1)


def code_for(drawing: np.ndarray, seed: int, dims: int) -> torch.Tensor:
    """A drawing's own code (dims,): standard normal, seeded by its pixels and `seed`, so it never depends on the batch."""
    digest = hashlib.blake2b(np.ascontiguousarray(drawing).tobytes(), digest_size=8, key=str(seed).encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest, "little"))
    return torch.from_numpy(rng.standard_normal(dims).astype(np.float32))


def mode_seeking(fake_a: torch.Tensor, fake_b: torch.Tensor, code_a: torch.Tensor, code_b: torch.Tensor, cap: float,
                 within: bool = False) -> torch.Tensor:
    """The diversity-sensitive term (Yang et al. 2019, DSGAN), minimised: -min(mean |G(x, a) - G(x, b)| / mean |a - b|, cap).
    Bounded, unlike MSGAN's 1 / ratio (whose pull grows without end as two codes agree): once two codes differ by
    `cap` it stops pushing, and the reconstruction and adversarial terms decide the rest. `within`: each photo's mean
    colour is taken out first, so a tint over the whole image (the cheapest way to differ) does not count."""
    if within:
        fake_a, fake_b = fake_a - fake_a.mean((2, 3), keepdim=True), fake_b - fake_b.mean((2, 3), keepdim=True)
    ratio = (fake_a - fake_b).abs().mean() / (code_a - code_b).abs().mean().clamp_min(1e-6)
    return -ratio.clamp(max=cap)
