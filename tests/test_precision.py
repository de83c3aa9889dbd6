"""The networks' arithmetic: 'auto' takes bfloat16 only where the hardware has it natively."""

from __future__ import annotations

import pytest
import torch

from gantools.infer import precision


def test_auto_takes_bfloat16_only_where_it_is_native(monkeypatch):
    cpu = torch.device("cpu")
    monkeypatch.setattr(precision, "native_bfloat16", lambda device: False)
    assert precision.resolve("auto", cpu) == torch.float32
    assert precision.resolve("bfloat16", cpu) == torch.bfloat16  # asked for: given, even if emulated
    monkeypatch.setattr(precision, "native_bfloat16", lambda device: True)
    assert precision.resolve("auto", cpu) == torch.bfloat16
    assert precision.resolve("float32", cpu) == torch.float32
    with pytest.raises(ValueError, match="precision must be one of auto, float32, bfloat16, got 'half'"):
        precision.resolve("half", cpu)


def test_networks_run_in_the_resolved_type():
    conv, x = torch.nn.Conv2d(3, 4, 3), torch.randn(1, 3, 8, 8)
    with precision.networks_in("bfloat16", torch.device("cpu")):
        assert conv(x).dtype == torch.bfloat16
    with precision.networks_in("float32", torch.device("cpu")):
        assert conv(x).dtype == torch.float32
    assert isinstance(precision.native_bfloat16(torch.device("cpu")), bool)  # this machine's answer, either way


@pytest.mark.parametrize("model", ["superres-x2", "selfie2anime", "sketch2photo"])
def test_each_opted_in_predictor_runs_its_networks_at_the_asked_precision(model):
    """upscale (tiles), translate and sketch2photo (the shared forward) honour --precision; sketch2photo's default
    stays float32 (bfloat16 moved its held-out PSNR), the others' is auto."""
    import numpy as np

    from gantools.files import weights
    from gantools.files.imageio import Decoded
    from gantools.infer import options

    loaded = weights.load(model)
    assert loaded.recipe.config.precision == ("float32" if model == "sketch2photo" else "auto")
    rgb = np.random.default_rng(0).integers(0, 255, (24, 32, 3), dtype=np.uint8)
    seen = []
    for asked in ("bfloat16", "float32"):
        options.apply(loaded.recipe, {"precision": asked})
        predictor = loaded.recipe.predictor(loaded.networks, torch.device("cpu"))
        conv = next(m for m in predictor.generator.modules() if isinstance(m, torch.nn.Conv2d))
        hook = conv.register_forward_hook(lambda m, i, o: seen.append(o.dtype))
        out = predictor.predict(Decoded(rgb))
        hook.remove()
        assert out.pixels.dtype == np.uint8
    assert seen[0] == torch.bfloat16 and seen[-1] == torch.float32
