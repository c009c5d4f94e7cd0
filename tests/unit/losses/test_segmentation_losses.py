"""Cross-entropy and soft Dice on logits, binary and multi-class, and the Lovasz hinge, by hand."""

from __future__ import annotations

import math

import pytest
import torch

from restora.losses import DiceLoss, cross_entropy, dice_loss, lovasz_hinge


def test_binary_cross_entropy_formula(rng):
    logits = torch.randn(2, 1, 3, 3, generator=rng, dtype=torch.float64)
    target = (torch.rand(2, 1, 3, 3, generator=rng) > 0.5).double()
    s = torch.sigmoid(logits)
    expected = -(target * s.log() + (1 - target) * (1 - s).log()).mean()
    assert cross_entropy(logits, target).item() == pytest.approx(expected.item())
    pos = torch.tensor([3.0], dtype=torch.float64)
    expected_pos = -(3 * target * s.log() + (1 - target) * (1 - s).log()).mean()
    assert cross_entropy(logits, target, class_weights=pos).item() == pytest.approx(
        expected_pos.item()
    )


def test_multiclass_cross_entropy_formula(rng):
    logits = torch.randn(2, 4, 3, 3, generator=rng, dtype=torch.float64)
    target = torch.randint(0, 4, (2, 3, 3), generator=rng)
    logp = logits.log_softmax(1)
    expected = -logp.gather(1, target[:, None]).mean()
    assert cross_entropy(logits, target).item() == pytest.approx(expected.item())
    target_ignored = target.clone()
    target_ignored[0] = 255
    expected_ig = -logp[1:].gather(1, target[1:, None]).mean()
    assert cross_entropy(logits, target_ignored, ignore_index=255).item() == pytest.approx(
        expected_ig.item()
    )


def test_target_checks():
    with pytest.raises(TypeError):
        cross_entropy(torch.zeros(1, 3, 2, 2), torch.zeros(1, 2, 2))
    with pytest.raises(ValueError):
        cross_entropy(torch.zeros(1, 3, 2, 2), torch.zeros(1, 1, 2, 2, dtype=torch.long))
    with pytest.raises(ValueError):
        dice_loss(torch.zeros(1, 1, 2, 2), torch.full((1, 1, 2, 2), 2.0))


def test_dice_binary_hand_example():
    logits = torch.zeros(1, 1, 2, 2)  # p = 0.5 everywhere
    target = torch.tensor([[[[1.0, 0.0], [1.0, 1.0]]]])
    # intersection 1.5, sum p 2, sum t 3
    assert dice_loss(logits, target, smooth=0.0).item() == pytest.approx(1 - 3 / 5)
    assert dice_loss(logits, target, smooth=1.0).item() == pytest.approx(1 - 4 / 6)
    assert DiceLoss(smooth=1.0)(logits, target).item() == dice_loss(logits, target).item()
    perfect = torch.where(target > 0, 30.0, -30.0)
    assert dice_loss(perfect, target, smooth=0.0).item() == pytest.approx(0.0, abs=1e-6)


def test_dice_multiclass_hand_example():
    logits = torch.zeros(1, 2, 2, 2)  # p = 0.5 for both classes
    target = torch.tensor([[[0, 1], [1, 1]]])
    # class 0: inter 0.5, sum p 2, sum t 1 -> 1/3; class 1: inter 1.5, sum p 2, sum t 3 -> 3/5
    expected = 1 - (1 / 3 + 3 / 5) / 2
    assert dice_loss(logits, target, smooth=0.0).item() == pytest.approx(expected)
    # smooth keeps an absent, unpredicted class at dice 1: 3 classes, class 2 never present
    logits3 = torch.tensor([[[[9.0, -9.0]], [[-9.0, 9.0]], [[-30.0, -30.0]]]])  # (1, 3, 1, 2)
    target3 = torch.tensor([[[0, 1]]])
    assert dice_loss(logits3, target3, smooth=1.0).item() == pytest.approx(0.0, abs=1e-3)
    assert math.isfinite(dice_loss(logits3, target3, smooth=0.0).item())


def test_gradcheck_segmentation(rng):
    logits_b = torch.randn(2, 1, 3, 3, generator=rng, dtype=torch.float64, requires_grad=True)
    target_b = (torch.rand(2, 1, 3, 3, generator=rng) > 0.5).double()
    logits_m = torch.randn(2, 3, 3, 3, generator=rng, dtype=torch.float64, requires_grad=True)
    target_m = torch.randint(0, 3, (2, 3, 3), generator=rng)
    assert torch.autograd.gradcheck(lambda x: dice_loss(x, target_b), (logits_b,))
    assert torch.autograd.gradcheck(lambda x: dice_loss(x, target_m), (logits_m,))
    assert torch.autograd.gradcheck(lambda x: cross_entropy(x, target_b), (logits_b,))
    assert torch.autograd.gradcheck(lambda x: cross_entropy(x, target_m), (logits_m,))


def _iou(pred: torch.Tensor, target: torch.Tensor) -> float:
    inter = (pred & target).sum().item()
    union = (pred | target).sum().item()
    return inter / union if union else 1.0


def test_lovasz_hinge_is_twice_one_minus_iou_at_unit_logits(rng):
    """At logits +-1 every correct pixel has hinge error 0 and every wrong one 2, where the
    Lovasz extension equals 2 * (Jaccard loss of the mispredicted set) = 2 * (1 - IoU)."""
    target = torch.rand(3, 1, 6, 7, generator=rng) > 0.6
    pred = torch.rand(3, 1, 6, 7, generator=rng) > 0.5
    logits = pred.double() * 2 - 1
    expected = sum(2 * (1 - _iou(p, t)) for p, t in zip(pred, target, strict=True)) / 3
    assert lovasz_hinge(logits, target.double()).item() == pytest.approx(expected)


def test_lovasz_hinge_zero_only_with_margin_and_grows_with_errors(rng):
    target = (torch.rand(2, 1, 5, 5, generator=rng) > 0.5).float()
    signs = target * 2 - 1
    assert lovasz_hinge(3 * signs, target).item() == 0.0
    assert lovasz_hinge(0.5 * signs, target).item() > 0.0  # inside the margin
    flipped = 3 * signs
    flipped[0, 0, 0, 0] *= -1
    more = flipped.clone()
    more[0, 0, 1, 1] *= -1
    assert 0 < lovasz_hinge(flipped, target).item() < lovasz_hinge(more, target).item()


def test_lovasz_hinge_per_image_mean_and_gradient(rng):
    target = (torch.rand(2, 1, 4, 4, generator=rng) > 0.5).double()
    logits = torch.randn(2, 1, 4, 4, generator=rng, dtype=torch.float64, requires_grad=True)
    both = lovasz_hinge(logits, target)
    each = [lovasz_hinge(logits[i : i + 1], target[i : i + 1]) for i in range(2)]
    assert both.item() == pytest.approx((each[0].item() + each[1].item()) / 2)
    both.backward()
    wrong = (logits.detach() > 0) != (target > 0.5)
    # pushing a wrong pixel's logit towards its label lowers the loss
    assert (logits.grad[wrong] * (2 * target[wrong] - 1) < 0).all()
    with pytest.raises(ValueError, match="binary"):
        lovasz_hinge(torch.zeros(1, 2, 3, 3), torch.zeros(1, 3, 3, dtype=torch.long))
