"""The predictor contract: inference in three stages, so the folder runner can overlap and batch them.

`prepare` (CPU, worker thread) -> `forward` (a batch, on the device) -> `finish` (CPU, worker thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch
from torch import nn

from gantools.infer import precision


@dataclass
class Job:
    """One image between the predictor's stages: `input` (CHW, CPU) goes through the model, batched with
    inputs of the same shape; `state` is whatever `finish` needs to build the output."""

    input: torch.Tensor
    state: Any = None


class Predictor:
    """Inference with a trained model's exported networks (a dict by name, as model.safetensors holds them)."""

    # False: the predictor cuts each image into batches of its own (tiles), so the runner gives it one at a time.
    batchable: ClassVar[bool] = True
    # The network `forward` runs (and `generator` names) when the recipe exports more than one.
    network: ClassVar[str] = "G"
    # Outputs are this many times the input's size (e.g. an upscaler's scale): the runner checks the output
    # format can hold them before the model runs.
    output_scale: int = 1

    # Conv weights (and so activations) in channels-last memory format: oneDNN runs them faster on CPU
    # (benchmarks/channels_last.py); outputs agree with the contiguous format to float rounding.
    channels_last: ClassVar[bool] = True

    def __init__(self, recipe: Any, networks: dict[str, nn.Module], device: torch.device | str):
        self.recipe, self.device = recipe, torch.device(device)
        memory_format = torch.channels_last if self.channels_last else torch.contiguous_format
        self.networks = {name: net.to(self.device, memory_format=memory_format).eval() for name, net in networks.items()}

    @property
    def generator(self) -> nn.Module:
        return self.networks[self.network]

    def prepare(self, decoded: Any) -> Job:
        raise NotImplementedError

    def networks_in(self):
        """A context in which the networks run at the recipe's `precision` (float32 for a recipe without one)."""
        return precision.networks_in(getattr(self.recipe.config, "precision", "float32"), self.device)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """A batch of prepared inputs (NCHW, CPU) -> outputs (NCHW, CPU)."""
        with torch.inference_mode(), self.networks_in():
            return self.generator(inputs.to(self.device)).float().cpu()

    def finish(self, job: Job, output: torch.Tensor) -> Any:
        raise NotImplementedError

    def video_filter(self):
        """For a video: a fresh callable (job, output) -> output, called on each frame's output in frame order
        between `forward` and `finish` (e.g. colour smoothed over time so it does not flicker); None: each frame
        on its own."""
        return None

    def onnx_graph(self) -> tuple[nn.Module, tuple[torch.Tensor, ...], list[str]]:
        """What `forward` computes, as one module from prepared input to output (for ONNX export), an example
        input and the inputs' names. Default: the generator, on what `prepare` makes of a 64x64 mid-gray image."""
        import numpy as np

        from gantools.files.imageio import Decoded

        job = self.prepare(Decoded(np.full((64, 64, 3), 128, np.uint8)))
        return self.generator, (job.input[None],), ["image"]

    def predict(self, decoded: Any) -> Any:
        """One image through all three stages."""
        job = self.prepare(decoded)
        return self.finish(job, self.forward(job.input[None])[0])
