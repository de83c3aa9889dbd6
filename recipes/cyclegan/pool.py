"""CycleGAN's image pool (Shrivastava et al. 2017): D sees a mix of new fakes and fakes from past steps, so
it does not chase G's latest mode. Kept in the recipe's state, so a resumed run draws the same mix."""

from __future__ import annotations

import torch


class ImagePool:
    def __init__(self, size: int):
        self.size = size
        self.images: torch.Tensor | None = None

    def __call__(self, fakes: torch.Tensor) -> torch.Tensor:
        """Until full, the new fakes are stored and returned; then each is, with probability 1/2, swapped for a stored one."""
        fakes = fakes.detach()
        if self.size == 0:
            return fakes
        if self.images is None or self.images.shape[0] < self.size:
            room = self.size - (0 if self.images is None else self.images.shape[0])
            new = fakes[:room].clone()
            self.images = new if self.images is None else torch.cat([self.images, new])
            return fakes
        out = []
        for image in fakes:  # one at a time: a slot drawn twice in one batch is still well defined
            if bool(torch.rand(()) < 0.5):
                slot = int(torch.randint(0, self.size, ()))
                out.append(self.images[slot].clone())
                self.images[slot] = image
            else:
                out.append(image)
        return torch.stack(out)

    def state_dict(self) -> dict:
        return {} if self.images is None else {"images": self.images.cpu()}

    def load_state_dict(self, state: dict, device: torch.device | str = "cpu") -> None:
        self.images = state["images"].to(device) if "images" in state else None
