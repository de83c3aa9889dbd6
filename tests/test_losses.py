"""Each adversarial loss against values computed by hand, and the penalties against closed forms."""

import math

import pytest
import torch

from gantools.train import losses

REAL = torch.tensor([2.0, -1.0])
FAKE = torch.tensor([0.5, -3.0])


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


def mean(values):
    return sum(values) / len(values)


def test_bce_d_loss():
    # -log sigmoid(r) = softplus(-r) for real; -log(1 - sigmoid(f)) = softplus(f) for fake
    expected = mean([softplus(-2.0), softplus(1.0)]) + mean([softplus(0.5), softplus(-3.0)])
    assert losses.d_loss("bce", REAL, FAKE).item() == pytest.approx(expected, rel=1e-6)


def test_bce_d_loss_with_smoothed_targets():
    t = 0.9
    real_terms = [-(t * math.log(1 / (1 + math.exp(-r))) + (1 - t) * math.log(1 - 1 / (1 + math.exp(-r)))) for r in (2.0, -1.0)]
    expected = mean(real_terms) + mean([softplus(0.5), softplus(-3.0)])
    assert losses.d_loss("bce", REAL, FAKE, real_target=0.9).item() == pytest.approx(expected, rel=1e-6)


def test_bce_generator_losses():
    assert losses.g_loss("bce", FAKE).item() == pytest.approx(mean([softplus(-0.5), softplus(3.0)]), rel=1e-6)
    # saturating: minimise log(1 - D(G(z))) = -softplus(f)
    assert losses.g_loss("bce-saturating", FAKE).item() == pytest.approx(-mean([softplus(0.5), softplus(-3.0)]), rel=1e-6)


def test_lsgan():
    d = 0.5 * mean([(2 - 1) ** 2, (-1 - 1) ** 2]) + 0.5 * mean([0.5**2, 9.0])
    assert losses.d_loss("lsgan", REAL, FAKE).item() == pytest.approx(d)
    assert losses.g_loss("lsgan", FAKE).item() == pytest.approx(0.5 * mean([0.25, 16.0]))


def test_hinge():
    d = mean([max(0, 1 - 2), max(0, 1 + 1)]) + mean([max(0, 1 + 0.5), max(0, 1 - 3)])
    assert losses.d_loss("hinge", REAL, FAKE).item() == pytest.approx(d)
    assert losses.g_loss("hinge", FAKE).item() == pytest.approx(1.25)


def test_wgan():
    assert losses.d_loss("wgan-gp", REAL, FAKE).item() == pytest.approx(mean([0.5, -3.0]) - mean([2.0, -1.0]))
    assert losses.g_loss("wgan-gp", FAKE).item() == pytest.approx(1.25)


def test_unknown_loss_is_refused():
    with pytest.raises(ValueError):
        losses.d_loss("nope", REAL, FAKE)
    with pytest.raises(ValueError):
        losses.g_loss("nope", FAKE)


def test_r1_of_a_linear_critic_is_its_squared_weight_norm():
    w = torch.tensor([[1.0, -2.0], [0.5, 3.0]])
    x = torch.randn(5, 2, 2, requires_grad=True)
    logits = (x * w).sum(dim=(1, 2))
    assert losses.r1_penalty(logits, x).item() == pytest.approx((w**2).sum().item(), rel=1e-6)


def test_gradient_penalty_of_a_linear_critic():
    w = torch.tensor([3.0, 4.0])  # ||w|| = 5 everywhere -> (5 - 1)^2 = 16
    gp = losses.gradient_penalty(lambda x: x @ w, torch.randn(7, 2), torch.randn(7, 2))
    assert gp.item() == pytest.approx(16.0, rel=1e-5)


def test_d_accuracy():
    assert losses.d_accuracy(REAL, FAKE).item() == pytest.approx(0.5)  # half the reals right, half the fakes right
    # Balanced over the two sides, whatever their sizes: all 3 reals right, 0 of 1 fake right -> 0.5.
    assert losses.d_accuracy(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.0])).item() == pytest.approx(0.5)
    # lsgan's targets are 1 and 0: 0.6 is a "real" verdict and 0.4 a "fake" one
    assert losses.d_accuracy(torch.tensor([0.6]), torch.tensor([0.4]), "lsgan").item() == 1.0
    assert losses.d_accuracy(torch.tensor([0.4]), torch.tensor([0.6]), "lsgan").item() == 0.0
