"""SSIM loss: one minus the mean local structural similarity (Zhao et al., "Loss Functions for
Image Restoration with Neural Networks", 2017, use it with L1 against blotchy outputs)."""

from __future__ import annotations

import torch

from restora.ops.ssim_map import ssim_map


def ssim_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``1 - SSIM`` averaged over positions, channels and the batch: a scalar in [0, 2], 0 when
    ``pred`` equals ``target``. Both ``(B, C, H, W)`` in [0, 1] with H, W >= 11 (Gaussian 11x11
    window, sigma 1.5, as :func:`restora.metrics.ssim` - here in the inputs' dtype, with
    gradients).

    >>> x = torch.rand(2, 3, 16, 16)
    >>> float(ssim_loss(x, x)) < 1e-5, float(ssim_loss(x, 1 - x)) > 0.5
    (True, True)
    """
    return 1.0 - ssim_map(pred, target, peak=1.0).mean()
