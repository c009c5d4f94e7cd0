"""The local SSIM map (Wang et al. 2004): shared by the SSIM metric and the SSIM loss."""

from __future__ import annotations

import torch
import torch.nn.functional as F

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


def ssim_map(a: torch.Tensor, b: torch.Tensor, *, peak: float = 1.0) -> torch.Tensor:
    """Per-position SSIM of ``a`` and ``b`` ``(B, C, H, W)`` (H, W >= 11), each channel on its
    own: an 11x11 Gaussian window (sigma 1.5), population variances, K1 = 0.01, K2 = 0.03,
    'valid' positions only. Returns ``(B, C, H - 10, W - 10)`` in the inputs' dtype;
    differentiable (1 where the images agree).

    >>> x = torch.rand(1, 3, 16, 16)
    >>> ssim_map(x, x).shape, bool(torch.allclose(ssim_map(x, x), torch.ones(1)))
    (torch.Size([1, 3, 6, 6]), True)
    """
    batch, channels = a.shape[:2]
    a = a.reshape(batch * channels, 1, *a.shape[-2:])
    b = b.reshape(batch * channels, 1, *b.shape[-2:])
    g = _gaussian_1d(a.dtype, a.device)
    mu_a, mu_b = _filter_valid(a, g), _filter_valid(b, g)
    var_a = _filter_valid(a * a, g) - mu_a**2
    var_b = _filter_valid(b * b, g) - mu_b**2
    cov = _filter_valid(a * b, g) - mu_a * mu_b
    c1, c2 = (K1 * peak) ** 2, (K2 * peak) ** 2
    out = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / (
        (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    )
    return out.reshape(batch, channels, *out.shape[-2:])
