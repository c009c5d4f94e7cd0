"""Colourfulness of Hasler and Süsstrunk ("Measuring colourfulness in natural images", 2003)."""

from __future__ import annotations

import torch

from restora.core.checks import check_image

__all__ = ["colorfulness"]


def colorfulness(image: torch.Tensor) -> torch.Tensor:
    """``M = sqrt(s_rg^2 + s_yb^2) + 0.3 sqrt(m_rg^2 + m_yb^2)`` per image.

    ``rg = R - G`` and ``yb = (R + G) / 2 - B`` on the 0..255 scale of the paper; ``s`` and ``m``
    are their standard deviation (population) and mean over the pixels. 0 for any gray image;
    the paper's scale reads about 15 as "slightly", 33 "moderately", 59 "quite" and 82 "highly"
    colourful.

    Args:
        image: float ``(B, 3, H, W)`` sRGB in [0, 1].

    Returns:
        ``(B,)`` float64.

    >>> colorfulness(torch.full((1, 3, 4, 4), 0.5)).tolist()
    [0.0]
    """
    check_image(image)
    x = image.to(torch.float64).flatten(2) * 255.0
    r, g, b = x.unbind(dim=1)
    rg = r - g
    yb = 0.5 * (r + g) - b
    spread = torch.sqrt(rg.var(dim=1, unbiased=False) + yb.var(dim=1, unbiased=False))
    offset = torch.sqrt(rg.mean(dim=1) ** 2 + yb.mean(dim=1) ** 2)
    return spread + 0.3 * offset
