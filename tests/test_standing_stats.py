"""BatchNorm standing statistics: the plain average over the given batches, the layer's settings put back."""

from __future__ import annotations

import torch
from torch import nn

from gantools.nets import standing_stats


def test_statistics_are_the_average_over_all_batches_and_settings_are_restored():
    net = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3, momentum=0.3)).eval()
    bn = net[1]
    bn.running_mean.fill_(50.0)
    bn.running_var.fill_(50.0)
    gen = torch.Generator().manual_seed(0)
    batches = [(torch.randn(64, 2, 8, 8, generator=gen) * s + s,) for s in (1.0, 3.0)]
    standing_stats.recompute(net, batches, lambda m, c: m(*c))
    with torch.no_grad():
        feats = [net[0](b[0]) for b in batches]
    means = torch.stack([f.mean((0, 2, 3)) for f in feats])
    torch.testing.assert_close(bn.running_mean, means.mean(0), rtol=1e-4, atol=1e-5)
    vars_ = torch.stack([f.var((0, 2, 3), unbiased=True) for f in feats])
    torch.testing.assert_close(bn.running_var, vars_.mean(0), rtol=1e-4, atol=1e-5)
    assert bn.momentum == 0.3 and not net.training


def test_a_network_without_batch_norm_is_left_alone():
    net = nn.Linear(2, 2)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    standing_stats.recompute(net, [(torch.ones(4, 2),)], lambda m, c: m(*c))
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
