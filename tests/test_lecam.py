"""LeCam regularisation: anchors are running means of D's logits, the penalty bites only when D separates
reals from fakes beyond them. (The trainer side: tests/test_trainer.py.)"""

from __future__ import annotations

import pytest
import torch

from gantools.train.lecam import LeCam
from gantools.train.trainconfig import TrainConfig


def test_anchors_start_at_the_first_batch_then_move_slowly():
    lecam = LeCam(decay=0.9)
    lecam.update(torch.tensor([2.0, 4.0]), torch.tensor([-1.0, -3.0]))
    assert (lecam.anchor_real, lecam.anchor_fake) == (3.0, -2.0)
    lecam.update(torch.tensor([13.0]), torch.tensor([8.0]))
    assert lecam.anchor_real == pytest.approx(0.9 * 3.0 + 0.1 * 13.0)
    assert lecam.anchor_fake == pytest.approx(0.9 * -2.0 + 0.1 * 8.0)


def test_penalty_is_zero_inside_the_anchors_and_pulls_a_separating_d_back():
    lecam = LeCam()
    lecam.anchor_real, lecam.anchor_fake = 1.0, -1.0
    # Reals at or below the fake anchor, fakes at or above the real anchor: nothing to regularise.
    assert lecam.penalty(torch.tensor([-1.5, -1.0]), torch.tensor([1.0, 2.0])).item() == 0.0
    real = torch.tensor([2.0, -2.0], requires_grad=True)
    fake = torch.tensor([-3.0, 5.0], requires_grad=True)
    value = lecam.penalty(real, fake)
    assert value.item() == pytest.approx((3.0**2) / 2 + (4.0**2) / 2)
    value.backward()
    assert real.grad[0] > 0 and real.grad[1] == 0  # descent lowers the real logit that ran past the fake anchor
    assert fake.grad[0] < 0 and fake.grad[1] == 0  # and raises the fake logit far below the real anchor


def test_penalty_before_any_update_is_an_error():
    with pytest.raises(RuntimeError):
        LeCam().penalty(torch.zeros(2), torch.zeros(2))


def test_state_round_trip():
    a = LeCam(decay=0.95)
    a.update(torch.tensor([1.0]), torch.tensor([-1.0]))
    b = LeCam()
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()


def test_negative_weight_is_refused():
    with pytest.raises(ValueError, match="lecam_weight"):
        TrainConfig(lecam_weight=-0.1)
