"""Liu et al.'s hole/valid L1 and the (masked) total variation loss, by hand."""

from __future__ import annotations

import pytest
import torch

from restora.losses import HoleValidL1Loss, TVLoss, dilate_mask, hole_valid_l1, tv_loss


def test_hole_valid_l1_hand_example():
    pred = torch.tensor([[[[0.5, 0.2], [0.9, 0.0]]]])
    target = torch.tensor([[[[0.1, 0.2], [0.3, 0.8]]]])
    mask_hole = torch.tensor([[[[1.0, 0.0], [1.0, 0.0]]]])  # left column is the hole
    # |diff| = [[0.4, 0.0], [0.6, 0.8]], N = C*H*W = 4
    total, parts = hole_valid_l1(pred, target, mask_hole, alpha=6.0)
    assert parts["l1_hole"].item() == pytest.approx((0.4 + 0.6) / 4)
    assert parts["l1_valid"].item() == pytest.approx((0.0 + 0.8) / 4)
    assert total.item() == pytest.approx(6 * 0.25 + 0.2)
    # the paper's convention M = 1 valid: L_hole = ||(1 - M) (I_out - I_gt)||_1 / N
    m_valid = 1 - mask_hole
    assert parts["l1_hole"].item() == pytest.approx(
        ((1 - m_valid) * (pred - target)).abs().sum().item() / pred.numel()
    )
    total2, _ = hole_valid_l1(pred, target, mask_hole, alpha=1.0)
    assert total2.item() == pytest.approx(0.25 + 0.2)


def test_hole_valid_l1_batch_and_channels_average(rng):
    pred = torch.rand(3, 3, 5, 4, generator=rng)
    target = torch.rand(3, 3, 5, 4, generator=rng)
    mask = (torch.rand(3, 1, 5, 4, generator=rng) > 0.5).float()
    total, parts = hole_valid_l1(pred, target, mask)
    per_image = [
        hole_valid_l1(pred[i : i + 1], target[i : i + 1], mask[i : i + 1])[0] for i in range(3)
    ]
    assert total.item() == pytest.approx(torch.stack(per_image).mean().item(), rel=1e-6)
    # hole + valid = plain mean L1
    assert (parts["l1_hole"] + parts["l1_valid"]).item() == pytest.approx(
        (pred - target).abs().mean().item(), rel=1e-6
    )
    module_total, _ = HoleValidL1Loss(alpha=6.0)(pred, target, mask)
    assert module_total.item() == total.item()


def test_hole_valid_l1_bad_mask():
    x = torch.zeros(1, 3, 4, 4)
    with pytest.raises(ValueError):
        hole_valid_l1(x, x, torch.zeros(1, 3, 4, 4))
    with pytest.raises(ValueError):
        hole_valid_l1(x, x, torch.zeros(1, 1, 4, 5))


def test_tv_hand_example():
    x = torch.tensor([[[[0.0, 1.0, 3.0], [2.0, 2.0, 2.0]]]])  # (1, 1, 2, 3)
    # horizontal |diffs|: 1, 2, 0, 0 -> 3; vertical: 2, 1, 1 -> 4; N = 6
    assert tv_loss(x).item() == pytest.approx(7 / 6)
    region = torch.tensor([[[[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]]])
    # pairs inside the region: horizontal (0,1) row 0 -> 1, row 1 -> 0; vertical col 0 -> 2, col 1 -> 1
    assert tv_loss(x, region).item() == pytest.approx((1 + 0 + 2 + 1) / 6)
    assert TVLoss()(x, region).item() == tv_loss(x, region).item()
    assert tv_loss(torch.full((2, 3, 4, 5), 0.3)).item() == 0.0


def test_dilate_mask_one_pixel():
    mask = torch.zeros(1, 1, 5, 5)
    mask[0, 0, 2, 2] = 1
    dilated = dilate_mask(mask)
    expected = torch.zeros(1, 1, 5, 5)
    expected[0, 0, 1:4, 1:4] = 1
    torch.testing.assert_close(dilated, expected)
    assert dilate_mask(mask, pixels=2).sum().item() == 25
    torch.testing.assert_close(dilate_mask(mask, pixels=0), mask)


def test_gradcheck_hole_valid_and_tv(rng):
    pred = torch.rand(2, 2, 3, 3, generator=rng, dtype=torch.float64, requires_grad=True)
    target = torch.rand(2, 2, 3, 3, generator=rng, dtype=torch.float64)
    mask = (torch.rand(2, 1, 3, 3, generator=rng) > 0.5).double()
    soft = torch.rand(2, 1, 3, 3, generator=rng, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda p: hole_valid_l1(p, target, mask)[0], (pred,))
    assert torch.autograd.gradcheck(lambda p: tv_loss(p), (pred,))
    assert torch.autograd.gradcheck(lambda p: tv_loss(p, soft), (pred,))
