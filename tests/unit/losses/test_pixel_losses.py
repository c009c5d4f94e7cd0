"""weighted_loss reductions and the pixel losses (L1, MSE, Charbonnier)."""

from __future__ import annotations

import inspect
import math

import pytest
import torch

from restora.losses import (
    CharbonnierLoss,
    charbonnier,
    l1,
    mse,
    reduce_loss,
    smooth_l1,
    weighted_loss,
)


@pytest.fixture
def pair() -> tuple[torch.Tensor, torch.Tensor]:
    pred = torch.tensor([[[[0.0, 0.5], [1.0, 0.25]]]]).repeat(2, 3, 1, 1)  # (2, 3, 2, 2)
    target = torch.tensor([[[[1.0, 0.5], [0.0, 0.75]]]]).repeat(2, 3, 1, 1)
    return pred, target  # |diff| per pixel: 1, 0, 1, 0.5


def test_reductions_without_weight(pair):
    pred, target = pair
    assert l1(pred, target).item() == pytest.approx(2.5 / 4)
    assert l1(pred, target, reduction="sum").item() == pytest.approx(2.5 * 6)
    none = l1(pred, target, reduction="none")
    assert none.shape == pred.shape
    torch.testing.assert_close(none, (pred - target).abs())
    assert mse(pred, target).item() == pytest.approx((1 + 0 + 1 + 0.25) / 4)


def test_mean_with_weight_divides_by_broadcast_weight_sum(pair):
    pred, target = pair
    weight = torch.tensor([[[[1.0, 1.0], [0.0, 0.0]]], [[[0.0, 0.0], [0.0, 2.0]]]])  # (2,1,2,2)
    # image 0: weight 1 on |diff| 1 and 0; image 1: weight 2 on |diff| 0.5; 3 channels each
    num = 3 * (1 * 1 + 1 * 0) + 3 * (2 * 0.5)
    den = 3 * (1 + 1) + 3 * 2
    assert l1(pred, target, weight=weight).item() == pytest.approx(num / den)
    assert l1(pred, target, weight=weight, reduction="sum").item() == pytest.approx(num)
    none = l1(pred, target, weight=weight, reduction="none")
    torch.testing.assert_close(none, (pred - target).abs() * weight)


def test_zero_weight_mean_is_zero_not_nan(pair):
    pred, target = pair
    out = l1(pred, target, weight=torch.zeros(2, 1, 2, 2))
    assert out.item() == 0.0


def test_bad_reduction_and_shape_mismatch(pair):
    pred, target = pair
    with pytest.raises(ValueError, match="reduction"):
        l1(pred, target, reduction="avg")
    with pytest.raises(ValueError, match="same shape"):
        l1(pred, target[:, :1])


def test_decorator_on_a_new_loss_and_its_signature():
    @weighted_loss
    def cube(pred, target, power=3.0):
        return (pred - target).abs() ** power

    x, y = torch.tensor([0.0, 0.0]), torch.tensor([1.0, 2.0])
    assert cube(x, y, reduction="sum").item() == pytest.approx(9.0)
    assert cube(x, y, power=2.0, weight=torch.tensor([0.0, 1.0])).item() == pytest.approx(4.0)
    params = inspect.signature(cube).parameters
    assert list(params) == ["pred", "target", "power", "weight", "reduction"]
    assert params["weight"].kind is inspect.Parameter.KEYWORD_ONLY


def test_reduce_loss_direct():
    loss = torch.tensor([[1.0, 3.0]])
    assert reduce_loss(loss, weight=torch.tensor([1.0, 0.0])).item() == 1.0
    assert reduce_loss(loss, reduction="sum").item() == 4.0


def test_charbonnier_values(pair):
    pred, target = pair
    diffs = [1.0, 0.0, 1.0, 0.5]
    for eps in (1e-3, 0.1):
        expected = sum(math.sqrt(d * d + eps * eps) for d in diffs) / 4
        assert charbonnier(pred, target, eps=eps).item() == pytest.approx(expected, rel=1e-6)
    assert charbonnier(pred, pred, eps=0.1).item() == pytest.approx(0.1)
    with pytest.raises(ValueError, match="eps"):
        charbonnier(pred, target, eps=0.0)
    module = CharbonnierLoss(eps=0.1)
    assert module(pred, target).item() == charbonnier(pred, target, eps=0.1).item()


def test_gradcheck_pixel_losses(rng):
    pred = torch.rand(1, 2, 3, 3, generator=rng, dtype=torch.float64, requires_grad=True)
    target = torch.rand(1, 2, 3, 3, generator=rng, dtype=torch.float64)
    weight = torch.rand(1, 1, 3, 3, generator=rng, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda p: charbonnier(p, target, eps=1e-2), (pred,))
    assert torch.autograd.gradcheck(lambda p: charbonnier(p, target, weight=weight), (pred,))
    assert torch.autograd.gradcheck(lambda p: mse(p, target, weight=weight), (pred,))
    assert torch.autograd.gradcheck(lambda p: l1(p, target, reduction="sum"), (pred,))


def test_smooth_l1_by_hand_and_against_torch():
    pred = torch.tensor([0.0, 0.0, 0.0, 1.0])
    target = torch.tensor([0.1, -0.5, 2.0, 1.0])
    # beta 0.5: 0.5 d^2 / beta inside, |d| - beta / 2 outside
    expected = [0.5 * 0.01 / 0.5, 0.5 - 0.25, 2.0 - 0.25, 0.0]
    got = smooth_l1(pred, target, beta=0.5, reduction="none")
    assert got.tolist() == pytest.approx(expected)
    assert smooth_l1(pred, target, beta=0.5).item() == pytest.approx(
        torch.nn.functional.smooth_l1_loss(pred, target, beta=0.5).item()
    )
    with pytest.raises(ValueError, match="beta"):
        smooth_l1(pred, target, beta=0.0)
