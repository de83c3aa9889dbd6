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
