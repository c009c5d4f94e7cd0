"""RGB -> gray with the ITU-R BT.601 luma weights."""

from __future__ import annotations

import torch

from restora.color._checks import check_color_input

BT601_LUMA = (0.299, 0.587, 0.114)


def rgb_to_gray(image: torch.Tensor) -> torch.Tensor:
    """Gray ``0.299 R + 0.587 G + 0.114 B`` (BT.601 luma, as OpenCV's COLOR_RGB2GRAY).

    Args:
        image: float ``(B, 3, H, W)`` RGB, nominally in [0, 1] (other values use the same formula).

    Returns:
        float ``(B, 1, H, W)`` in the input's range and dtype.

    >>> rgb_to_gray(torch.ones(1, 3, 2, 2)).shape
    torch.Size([1, 1, 2, 2])
    """
    check_color_input(image)
    r, g, b = image.unbind(dim=1)
    gray = BT601_LUMA[0] * r + BT601_LUMA[1] * g + BT601_LUMA[2] * b
    return gray.unsqueeze(1)
