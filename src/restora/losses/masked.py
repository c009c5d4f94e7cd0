"""Hole / valid L1 of Liu et al. (ECCV 2018, "Image Inpainting for Irregular Holes Using Partial
Convolutions"), with restora's mask convention (1 = hole)."""

from __future__ import annotations

import torch

from restora.core.checks import check_mask, check_shape


def hole_valid_l1(
    pred: torch.Tensor, target: torch.Tensor, mask_hole: torch.Tensor, *, alpha: float = 6.0
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """L1 split into the hole and the valid region, ``total = alpha * l1_hole + l1_valid``.

    Liu et al. write the mask with 1 = valid (M); restora's ``mask_hole`` is ``1 - M``::

        l1_hole  = || mask_hole       * (pred - target) ||_1 / N
        l1_valid = || (1 - mask_hole) * (pred - target) ||_1 / N

    with ``N = C * H * W`` (the number of elements of one image, as in the paper) and the result
    averaged over the batch — i.e. both sums are divided by ``B * C * H * W``. The paper uses
    ``L_valid + 6 L_hole`` (``alpha = 6``) on the raw network output ``pred``.

    Args:
        pred, target: ``(B, C, H, W)`` float images.
        mask_hole: ``(B, 1, H, W)`` in [0, 1], 1 = hole; broadcast over channels.
        alpha: weight of the hole term.

    Returns:
        ``(total, {"l1_hole": ..., "l1_valid": ...})``, scalars attached to the graph.

    >>> pred, target = torch.zeros(1, 1, 1, 2), torch.tensor([[[[1.0, 2.0]]]])
    >>> total, parts = hole_valid_l1(pred, target, torch.tensor([[[[1.0, 0.0]]]]))
    >>> float(parts["l1_hole"]), float(parts["l1_valid"]), float(total)
    (0.5, 1.0, 4.0)
    """
    check_shape(pred, ["B", "C", "H", "W"], "pred")
    if target.shape != pred.shape:
        raise ValueError(f"target {tuple(target.shape)} must match pred {tuple(pred.shape)}")
    check_mask(mask_hole, pred, "mask_hole")
    if mask_hole.shape[0] != pred.shape[0]:
        raise ValueError(f"mask_hole batch {mask_hole.shape[0]} != pred batch {pred.shape[0]}")
    diff = (pred - target).abs()
    mask = mask_hole.to(diff.dtype)
    n = diff.numel()
    l1_hole = (mask * diff).sum() / n
    l1_valid = ((1 - mask) * diff).sum() / n
    return alpha * l1_hole + l1_valid, {"l1_hole": l1_hole, "l1_valid": l1_valid}
