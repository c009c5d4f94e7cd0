"""Small pieces of the standard super-resolution evaluation protocol (MATLAB conventions).

The protocol: crop the HR image to a multiple of the scale (:func:`mod_crop`), make LR and
outputs with MATLAB ``imresize`` (:func:`restora.ops.resize.imresize`), store images as uint8
(:func:`quantize_8bit`), then PSNR/SSIM on Y with a ``scale``-pixel border crop
(:func:`restora.metrics.psnr` / :func:`restora.metrics.ssim` with ``y_channel=True``).
"""

from __future__ import annotations

import torch

from restora.core.checks import check_shape


def mod_crop(image: torch.Tensor, scale: int) -> torch.Tensor:
    """Crop ``(B, C, H, W)`` at the bottom/right so H and W are multiples of ``scale`` (``modcrop.m``)."""
    check_shape(image, ["B", "C", "H", "W"], "image")
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    height, width = image.shape[-2:]
    return image[..., : height - height % scale, : width - width % scale]


def quantize_8bit(image: torch.Tensor) -> torch.Tensor:
    """Round float [0, 1] values to the nearest of the 256 uint8 levels, as MATLAB's ``uint8()``.

    Clamps to [0, 1] and rounds halves away from zero; same shape and dtype, values ``k / 255``.
    Not differentiable (evaluation only).
    """
    return torch.floor(image.clamp(0.0, 1.0) * 255.0 + 0.5) / 255.0
