"""Resize sparse colour hints without losing them (for colorizers that run below full size)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from restora.core.checks import check_shape

__all__ = ["pool_hints"]


def pool_hints(
    hints: torch.Tensor, hint_mask: torch.Tensor, size: tuple[int, int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Area-average ``hints * mask`` and ``mask`` to ``size``; a cell with any hint stays a hint.

    Args:
        hints: ``(B, C, H, W)`` hint values (e.g. ab in CIE units); only values under the mask
            matter.
        hint_mask: ``(B, 1, H, W)``, > 0.5 where a hint is given.
        size: target ``(h, w)`` (any size, smaller or larger).

    Returns:
        ``(hints (B, C, h, w), mask (B, 1, h, w))``: a cell covering any hint pixel becomes a
        hint whose value is the mean of the hint pixels it covers; the mask is 0 or 1, and
        values outside it are 0.

    >>> h, m = pool_hints(torch.full((1, 2, 4, 4), 7.0), torch.eye(4).view(1, 1, 4, 4), (2, 2))
    >>> m.flatten().tolist(), h[0, 0].flatten().tolist()
    ([1.0, 0.0, 0.0, 1.0], [7.0, 0.0, 0.0, 7.0])
    """
    check_shape(hints, ["B", "C", "H", "W"], "hints")
    check_shape(hint_mask, [str(hints.shape[0]), "1", *map(str, hints.shape[-2:])], "hint_mask")
    mask = (hint_mask > 0.5).to(hints.dtype)
    if tuple(hints.shape[-2:]) == tuple(size):
        return hints * mask, mask
    total = F.interpolate(hints * mask, size=size, mode="area")
    weight = F.interpolate(mask, size=size, mode="area")
    has = weight > 0
    pooled = torch.where(has, total / weight.clamp(min=1e-12), torch.zeros_like(total))
    return pooled, has.to(hints.dtype)
