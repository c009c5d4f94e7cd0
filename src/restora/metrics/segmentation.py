"""Overlap metrics for binary masks: IoU, Dice, precision and recall, one value per image.

Inputs are masks ``(B, 1, H, W)`` (any dtype); values above 0.5 count as foreground (1 = hole /
damage). Empty masks have defined scores: when prediction and target are both empty every score
is 1.0 (nothing to find, nothing wrongly found).
"""

from __future__ import annotations

import torch

from restora.core.checks import check_shape


def _counts(pred: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """True positives, false positives and false negatives per image, float64 ``(B,)``."""
    check_shape(pred, ["B", "1", "H", "W"], "pred")
    check_shape(target, ["B", "1", "H", "W"], "target")
    if pred.shape != target.shape:
        raise ValueError(f"pred {tuple(pred.shape)} and target {tuple(target.shape)} differ")
    p = (pred > 0.5).flatten(1)
    t = (target > 0.5).flatten(1)
    tp = (p & t).sum(1, dtype=torch.float64)
    fp = (p & ~t).sum(1, dtype=torch.float64)
    fn = (~p & t).sum(1, dtype=torch.float64)
    return tp, fp, fn


def _ratio(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
    """``num / den`` with 1.0 where ``den`` is 0 (both masks empty for the quantity asked)."""
    out = torch.where(den > 0, num / den.clamp(min=1), torch.ones_like(num))
    return out.float()


def iou(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Intersection over union per image, float32 ``(B,)`` in [0, 1]; 1.0 when both are empty.

    >>> a = torch.zeros(1, 1, 2, 2); a[..., 0, :] = 1
    >>> iou(a, torch.ones(1, 1, 2, 2))
    tensor([0.5000])
    """
    tp, fp, fn = _counts(pred, target)
    return _ratio(tp, tp + fp + fn)


def dice(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Dice coefficient (F1) per image, float32 ``(B,)`` in [0, 1]; 1.0 when both are empty."""
    tp, fp, fn = _counts(pred, target)
    return _ratio(2 * tp, 2 * tp + fp + fn)


def precision_recall(pred: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Precision and recall per image, each float32 ``(B,)`` in [0, 1].

    Precision is 1.0 when nothing is predicted (no false alarm was raised); recall is 1.0 when the
    target is empty (nothing was missed).
    """
    tp, fp, fn = _counts(pred, target)
    return _ratio(tp, tp + fp), _ratio(tp, tp + fn)
