"""Peak signal-to-noise ratio, per image."""

from __future__ import annotations

import torch

from restora.metrics._pairs import prepare_pair


def psnr(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    data_range: float = 1.0,
    crop_border: int = 0,
    y_channel: bool = False,
) -> torch.Tensor:
    """PSNR in dB, ``10 log10(data_range^2 / MSE)``, MSE over all channels and pixels of each image.

    Args:
        x, y: float ``(B, C, H, W)`` with values in ``[0, data_range]``.
        data_range: the peak value (1.0 for the tensor contract, 255.0 for 0..255 data).
        crop_border: pixels removed from every side first (the SR protocol uses the scale).
        y_channel: measure on BT.601 Y only (SR protocol): RGB -> Y in 0..255 units, as
            MATLAB ``rgb2ycbcr`` but not rounded; 1-channel (gray) images are used as they are.

    Returns:
        ``(B,)`` in the input dtype (computed in float64); ``inf`` where the images are equal.

    >>> x = torch.zeros(1, 1, 4, 4)
    >>> psnr(x, x + 0.1).item()  # MSE 0.01 -> 20 dB
    20.0
    """
    a, b, peak = prepare_pair(
        x, y, data_range=data_range, crop_border=crop_border, y_channel=y_channel
    )
    mse = (a - b).pow(2).mean(dim=(1, 2, 3))
    return (10.0 * torch.log10(peak**2 / mse)).to(x.dtype)
