"""Mean absolute error, per image."""

from __future__ import annotations

import torch

from restora.metrics._pairs import prepare_pair


def mae(x: torch.Tensor, y: torch.Tensor, *, crop_border: int = 0) -> torch.Tensor:
    """Mean absolute difference over channels and pixels of each image.

    Args:
        x, y: float ``(B, C, H, W)``, same shape, any range.
        crop_border: pixels removed from every side first.

    Returns:
        ``(B,)`` in the input dtype and the input's units.

    >>> mae(torch.zeros(2, 3, 4, 4), torch.full((2, 3, 4, 4), 0.25)).tolist()
    [0.25, 0.25]
    """
    a, b, _ = prepare_pair(x, y, data_range=1.0, crop_border=crop_border, y_channel=False)
    return (a - b).abs().mean(dim=(1, 2, 3)).to(x.dtype)
