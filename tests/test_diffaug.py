"""DiffAugment: shapes kept, gradients pass through, each op does what its name says."""

import pytest
import torch

from gantools.train.diffaug import diff_augment, parse_policy


def test_policy_parsing():
    assert parse_policy("color, translation,cutout") == ("color", "translation", "cutout")
    assert parse_policy("") == () and parse_policy("none") == ()
    with pytest.raises(ValueError):
        parse_policy("color,zoom")


def test_shapes_and_gradients_for_any_channel_count():
    x = torch.randn(4, 5, 16, 12, requires_grad=True)
    y = diff_augment(x, ("color", "translation", "cutout"))
    assert y.shape == x.shape
    y.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_translation_shifts_content_and_cutout_zeroes_a_square():
    torch.manual_seed(0)
    x = torch.ones(64, 1, 16, 16)
    shifted = diff_augment(x, ("translation",))
    assert (shifted == 0).any() and ((shifted == 0) | (shifted == 1)).all()
    cut = diff_augment(x, ("cutout",))
    zeros = (cut == 0).flatten(1).sum(1)
    assert zeros.max() <= 8 * 8 and zeros.min() > 0


def test_color_changes_values_not_geometry():
    torch.manual_seed(0)
    x = torch.zeros(8, 3, 4, 4)
    x[:, :, 1, 1] = 1.0
    y = diff_augment(x, ("color",))
    assert not torch.equal(x, y)
    # A uniform image stays uniform within each channel: colour ops never move pixels.
    flat = diff_augment(torch.full((8, 3, 4, 4), 0.3), ("color",))
    assert torch.allclose(flat, flat[:, :, :1, :1].expand_as(flat))
