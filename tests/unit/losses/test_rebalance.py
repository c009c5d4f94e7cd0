"""Zhang et al.'s class rebalancing: weights by hand (with and without smoothing), the loss, and
the whole ab classification loss (soft encoding + rebalanced CE) on a tiny example."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import torch

from restora.color.ab_bins import soft_encode
from restora.losses import (
    AbClassificationLoss,
    RebalancedCrossEntropyLoss,
    rebalance_weights,
    rebalanced_cross_entropy,
    smooth_distribution,
)


def expected_weights(p: list[float], lam: float) -> list[float]:
    q = len(p)
    raw = [1.0 / ((1 - lam) * pi + lam / q) for pi in p]
    norm = sum(pi * wi for pi, wi in zip(p, raw, strict=True))
    return [wi / norm for wi in raw]


def test_three_classes_by_hand_without_smoothing():
    prior = torch.tensor([6.0, 3.0, 1.0], dtype=torch.float64)  # counts -> p = 0.6, 0.3, 0.1
    # lam = 1/2, Q = 3: mix = p/2 + 1/6 = 7/15, 19/60, 13/60 -> raw w = 15/7, 60/19, 60/13
    raw = [Fraction(15, 7), Fraction(60, 19), Fraction(60, 13)]
    p = [Fraction(3, 5), Fraction(3, 10), Fraction(1, 10)]
    norm = sum(a * b for a, b in zip(p, raw, strict=True))
    expected = [float(w / norm) for w in raw]
    got = rebalance_weights(prior, lam=0.5)
    assert got.tolist() == pytest.approx(expected, rel=1e-12)
    assert float((torch.tensor([0.6, 0.3, 0.1], dtype=torch.float64) * got).sum()) == pytest.approx(
        1
    )
    # points far apart relative to sigma: the Gaussian kernel is ~identity
    far = torch.tensor([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0]])
    assert rebalance_weights(prior, lam=0.5, sigma=5.0, points=far).tolist() == pytest.approx(
        expected, rel=1e-12
    )
    # lam = 1: uniform weights; rarer classes get larger weights for lam < 1
    assert rebalance_weights(prior, lam=1.0).tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert got[0] < got[1] < got[2]


def test_three_classes_where_smoothing_matters():
    prior = torch.tensor([0.7, 0.2, 0.1], dtype=torch.float64)
    points = torch.tensor([[0.0, 0.0], [5.0, 0.0], [10.0, 0.0]])  # spacing = sigma
    sigma = 5.0
    g = [[math.exp(-((5.0 * (i - j)) ** 2) / (2 * sigma**2)) for j in range(3)] for i in range(3)]
    p = [0.7, 0.2, 0.1]
    smoothed = [sum(g[i][j] * p[j] for j in range(3)) for i in range(3)]
    smoothed = [s / sum(smoothed) for s in smoothed]
    got_p = smooth_distribution(prior, points, sigma=sigma)
    assert got_p.tolist() == pytest.approx(smoothed, rel=1e-12)
    assert abs(smoothed[0] - 0.7) > 0.05  # the smoothing really changed the distribution
    got = rebalance_weights(prior, lam=0.5, sigma=sigma, points=points)
    assert got.tolist() == pytest.approx(expected_weights(smoothed, 0.5), rel=1e-12)
    assert float((got_p * got).sum()) == pytest.approx(1.0)  # E_p~[w] = 1
    assert got.tolist() != pytest.approx(rebalance_weights(prior, lam=0.5).tolist(), rel=1e-3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="lam"):
        rebalance_weights(torch.ones(3), lam=0.0)
    with pytest.raises(ValueError, match="non-negative"):
        rebalance_weights(torch.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match="points"):
        rebalance_weights(torch.ones(3), points=torch.zeros(2, 2))
    with pytest.raises(ValueError):
        rebalanced_cross_entropy(torch.zeros(1, 3, 2, 2), torch.zeros(1, 3, 2, 2), torch.ones(4))


def test_rebalanced_cross_entropy_by_hand():
    logits = torch.tensor([[[[2.0, 0.0]], [[0.0, 1.0]], [[-1.0, 0.5]]]], dtype=torch.float64)
    targets = torch.tensor([[[[0.7, 0.1]], [[0.2, 0.3]], [[0.1, 0.6]]]], dtype=torch.float64)
    weights = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    total = 0.0
    for px in range(2):
        z = [float(logits[0, q, 0, px]) for q in range(3)]
        lse = math.log(sum(math.exp(v) for v in z))
        t = [float(targets[0, q, 0, px]) for q in range(3)]
        ce = -sum(t[q] * (z[q] - lse) for q in range(3))
        v = float(weights[max(range(3), key=lambda q: t[q])])  # pixel 0 -> class 0, pixel 1 -> 2
        total += v * ce
    expected = total / 2
    assert rebalanced_cross_entropy(logits, targets, weights).item() == pytest.approx(expected)
    module = RebalancedCrossEntropyLoss(weights)
    assert module(logits, targets).item() == pytest.approx(expected)
    assert "weights" in module.state_dict()


def test_gradcheck_rebalanced_cross_entropy(rng):
    logits = torch.randn(2, 4, 2, 3, generator=rng, dtype=torch.float64, requires_grad=True)
    targets = torch.rand(2, 4, 2, 3, generator=rng, dtype=torch.float64)
    targets = targets / targets.sum(1, keepdim=True)
    weights = rebalance_weights(torch.tensor([5.0, 3.0, 1.0, 1.0], dtype=torch.float64))
    assert torch.autograd.gradcheck(
        lambda x: rebalanced_cross_entropy(x, targets, weights), (logits,)
    )


def test_ab_classification_loss_by_hand():
    """Soft encoding over 2 of 3 bins (sigma 5) at the logits' resolution, rebalanced CE."""
    centres = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]], dtype=torch.float64)
    weights = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    logits = torch.tensor([[[[1.0, 0.0]], [[0.0, -1.0]], [[2.0, 0.5]]]], dtype=torch.float64)
    target = torch.full((1, 2, 2, 4), 99.0, dtype=torch.float64)  # only every 2nd pixel counts
    target[0, :, 0, 0] = torch.tensor([3.0, 0.0])  # d^2 = 9, 49, 109 -> bins 0, 1; v = w[0]
    target[0, :, 0, 2] = torch.tensor([1.0, 8.0])  # d^2 = 65, 145, 5 -> bins 2, 0; v = w[2]
    total = 0.0
    for px, (near, second, d_near, d_second) in enumerate([(0, 1, 9, 49), (2, 0, 5, 65)]):
        z = [float(logits[0, q, 0, px]) for q in range(3)]
        lse = math.log(sum(math.exp(v) for v in z))
        a = math.exp(-d_near / 50.0)
        b = math.exp(-d_second / 50.0)
        ce = -(a * (z[near] - lse) + b * (z[second] - lse)) / (a + b)
        total += float(weights[near]) * ce
    loss = AbClassificationLoss(centres, weights, neighbours=2, sigma=5.0).double()
    assert loss(logits, target).item() == pytest.approx(total / 2, rel=1e-12)
    # the same as the dense soft encoding + rebalanced_cross_entropy
    dense = soft_encode(target[..., ::2, ::2], centres, neighbours=2, sigma=5.0)
    assert rebalanced_cross_entropy(logits, dense, weights).item() == pytest.approx(total / 2)
    assert {"centres", "weights"} <= set(loss.state_dict())
    unweighted = AbClassificationLoss(centres, neighbours=2)
    assert unweighted.weights.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="logits"):
        loss(torch.zeros(1, 4, 1, 2, dtype=torch.float64), target)
    with pytest.raises(ValueError, match="neighbours"):
        AbClassificationLoss(centres, neighbours=4)


def test_ab_classification_loss_at_full_zhang_size_and_gradient():
    from restora.color.ab_bins import zhang_ab_bins

    g = torch.Generator().manual_seed(0)
    target = torch.randn(2, 2, 32, 40, generator=g) * 30
    logits = torch.randn(2, 313, 8, 10, generator=g, requires_grad=True)
    loss = AbClassificationLoss(zhang_ab_bins())
    value = loss(logits, target)
    value.backward()
    dense = soft_encode(target[..., ::4, ::4], zhang_ab_bins())
    expected = rebalanced_cross_entropy(logits.detach(), dense, torch.ones(313))
    assert value.item() == pytest.approx(expected.item(), rel=1e-5)
    assert torch.isfinite(logits.grad).all() and logits.grad.abs().sum() > 0
