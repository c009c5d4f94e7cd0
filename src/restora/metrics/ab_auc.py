"""Zhang et al.'s colour accuracy: area under the CDF of per-pixel ab errors (thresholds 0-150).

"We compute the percentage of predicted pixel colors within a thresholded L2 distance of the
ground truth in ab color space, then sweep across thresholds from 0 to 150 to produce a
cumulative mass function and integrate the area under the curve (AuC)" (ECCV 2016, Sec. 3.1).
Here the thresholds are ``0, step, ..., max_threshold`` and the area is the trapezoid rule,
normalized by ``max_threshold`` so that a perfect prediction scores 1. (The paper also reports a
class-rebalanced variant; this is the plain one.)
"""

from __future__ import annotations

import torch

from restora.color.lab import rgb_to_lab
from restora.core.checks import check_image, check_shape

__all__ = ["ab_auc", "ab_error_cdf"]


def ab_error_cdf(
    pred_ab: torch.Tensor,
    target_ab: torch.Tensor,
    *,
    max_threshold: float = 150.0,
    step: float = 1.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Fraction of pixels with ``|ab_pred - ab_true|_2 <= t`` for each threshold ``t``.

    Args:
        pred_ab, target_ab: ``(B, 2, H, W)`` CIE a, b.
        max_threshold, step: thresholds ``0, step, ..., max_threshold``.

    Returns:
        ``(thresholds (T,), cdf (B, T))``, float64.
    """
    check_shape(pred_ab, ["B", "2", "H", "W"], "pred_ab")
    if pred_ab.shape != target_ab.shape:
        raise ValueError(f"shapes differ: {tuple(pred_ab.shape)} vs {tuple(target_ab.shape)}")
    if max_threshold <= 0 or step <= 0:
        raise ValueError("max_threshold and step must be > 0")
    count = int(round(max_threshold / step)) + 1
    thresholds = torch.linspace(0.0, max_threshold, count, dtype=torch.float64)
    error = (pred_ab.double() - target_ab.double()).square().sum(dim=1).sqrt().flatten(1)
    cdf = (error[:, :, None] <= thresholds.to(error.device)[None, None, :]).double().mean(dim=1)
    return thresholds, cdf


def ab_auc(
    pred: torch.Tensor, target: torch.Tensor, *, max_threshold: float = 150.0, step: float = 1.0
) -> torch.Tensor:
    """AuC of the ab-error CDF between two sRGB images, in [0, 1] (1 = every ab exact).

    Args:
        pred, target: float ``(B, 3, H, W)`` sRGB in [0, 1].
        max_threshold, step: see :func:`ab_error_cdf`.

    Returns:
        ``(B,)`` float64.

    >>> x = torch.rand(1, 3, 8, 8)
    >>> ab_auc(x, x).tolist()
    [1.0]
    """
    check_image(pred, "pred")
    check_image(target, "target")
    pred_ab = rgb_to_lab(pred.double())[:, 1:]
    target_ab = rgb_to_lab(target.double())[:, 1:]
    thresholds, cdf = ab_error_cdf(pred_ab, target_ab, max_threshold=max_threshold, step=step)
    return torch.trapezoid(cdf, thresholds, dim=1) / max_threshold
