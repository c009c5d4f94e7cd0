"""Colour hints as the colorizers use them: the CIE ab of each hinted pixel's colour."""

from __future__ import annotations

import torch

from restora.color._checks import check_color_input
from restora.color.lab import rgb_to_lab
from restora.core.checks import check_shape

__all__ = ["hints_to_ab"]


def hints_to_ab(colours: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """sRGB hint colours -> CIE ab hints (only the chroma of a hint is used; L is the photo's).

    Args:
        colours: float ``(B, 3, H, W)`` sRGB in [0, 1] (values outside the mask are ignored).
        mask: ``(B, 1, H, W)``, > 0.5 where a hint is given.

    Returns:
        ``(ab (B, 2, H, W), mask (B, 1, H, W))``: ab in CIE units, 0 outside the mask; the mask
        as 0/1 in ``colours``' dtype.

    >>> ab, m = hints_to_ab(torch.tensor([1.0, 0.0, 0.0]).view(1, 3, 1, 1), torch.ones(1, 1, 1, 1))
    >>> [round(v) for v in ab.flatten().tolist()]  # sRGB red
    [80, 67]
    """
    check_color_input(colours, "colours")
    check_shape(mask, [str(colours.shape[0]), "1", *map(str, colours.shape[-2:])], "mask")
    binary = (mask > 0.5).to(colours.dtype)
    return rgb_to_lab(colours)[:, 1:] * binary, binary
