"""Structural similarity (Wang et al. 2004, the reference ``ssim_index.m``), per image."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from restora.metrics._pairs import prepare_pair

WINDOW = 11
SIGMA = 1.5
K1, K2 = 0.01, 0.03


def _gaussian_1d(dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    coords = torch.arange(WINDOW, dtype=dtype, device=device) - (WINDOW - 1) / 2
    g = torch.exp(-(coords**2) / (2 * SIGMA**2))
    return g / g.sum()


def _filter_valid(x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Separable Gaussian, 'valid' region only: (N, 1, H, W) -> (N, 1, H - 10, W - 10)."""
    x = F.conv2d(x, g.view(1, 1, WINDOW, 1))
    return F.conv2d(x, g.view(1, 1, 1, WINDOW))


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
    batch, channels = a.shape[:2]
    a = a.reshape(batch * channels, 1, *a.shape[-2:])
    b = b.reshape(batch * channels, 1, *b.shape[-2:])
    g = _gaussian_1d(a.dtype, a.device)
    mu_a, mu_b = _filter_valid(a, g), _filter_valid(b, g)
    var_a = _filter_valid(a * a, g) - mu_a**2
    var_b = _filter_valid(b * b, g) - mu_b**2
    cov = _filter_valid(a * b, g) - mu_a * mu_b
    c1, c2 = (K1 * peak) ** 2, (K2 * peak) ** 2
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / (
        (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    )
    return ssim_map.reshape(batch, -1).mean(dim=1).to(x.dtype)
