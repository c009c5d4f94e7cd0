"""Structural similarity (Wang et al. 2004, the reference ``ssim_index.m``), per image."""

from __future__ import annotations

import torch

from restora.metrics._pairs import prepare_pair
from restora.ops.ssim_map import WINDOW, ssim_map


def ssim(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    data_range: float = 1.0,
    crop_border: int = 0,
    y_channel: bool = False,
) -> torch.Tensor:
    """Mean SSIM with an 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03.

    As Wang's ``ssim_index.m``: local statistics with population (biased) variances, only
    'valid' window positions (no padding), no downsampling; the SSIM map is averaged over
    positions and channels. Equal to ``skimage.metrics.structural_similarity(...,
    gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`` averaged over channels.

    Args:
        x, y: float ``(B, C, H, W)`` in ``[0, data_range]``; after cropping H, W >= 11.
        data_range: the peak value (sets C1 = (K1 L)^2, C2 = (K2 L)^2).
        crop_border: pixels removed from every side first.
        y_channel: measure on BT.601 Y in 0..255 units (see :func:`restora.metrics.psnr`).

    Returns:
        ``(B,)`` in the input dtype (computed in float64); 1 for identical images.
    """
    a, b, peak = prepare_pair(
        x, y, data_range=data_range, crop_border=crop_border, y_channel=y_channel
    )
    if min(a.shape[-2:]) < WINDOW:
        raise ValueError(
            f"ssim needs images of at least {WINDOW}x{WINDOW} after cropping, got {tuple(a.shape[-2:])}"
        )
    return ssim_map(a, b, peak=peak).flatten(1).mean(dim=1).to(x.dtype)
