"""Downscaling degradations for super-resolution pairs: MATLAB bicubic and area averaging.

Output size is ``ceil(H / scale) x ceil(W / scale)``; crop H and W to multiples of ``scale``
first (`restora.data.transforms.mod_crop`) for exactly aligned pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from restora.data.degradations import Degradation
from restora.ops.resize import imresize


def _check_scale(scale: int) -> None:
    if int(scale) != scale or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")


def _quantize(image: torch.Tensor) -> torch.Tensor:
    return torch.round(image.clamp(0, 1) * 255) / 255


def bicubic_downscale(image: torch.Tensor, scale: int, *, quantize: bool = True) -> torch.Tensor:
    """MATLAB ``imresize(image, 1/scale)`` (antialiased Keys cubic), clamped to [0, 1] and,
    with ``quantize``, rounded to 8-bit levels as an LR image saved to PNG would be (the
    benchmark protocol). ``(B, C, H, W)`` -> ``(B, C, ceil(H/s), ceil(W/s))``, float32."""
    _check_scale(scale)
    out = imresize(image, scale=1.0 / scale, kernel="cubic").clamp(0, 1)
    return _quantize(out) if quantize else out


def area_downscale(image: torch.Tensor, scale: int, *, quantize: bool = False) -> torch.Tensor:
    """Mean over ``scale x scale`` blocks (adaptive when H, W are not multiples of ``scale``).
    ``(B, C, H, W)`` -> ``(B, C, ceil(H/s), ceil(W/s))``, float32 in [0, 1]."""
    _check_scale(scale)
    size = (math.ceil(image.shape[-2] / scale), math.ceil(image.shape[-1] / scale))
    out = F.interpolate(image, size=size, mode="area")
    return _quantize(out) if quantize else out.clamp(0, 1)


@dataclass(frozen=True)
class BicubicDownscale(Degradation):
    """:func:`bicubic_downscale` as a degradation (draws nothing)."""

    scale: int = 4
    quantize: bool = True

    def __post_init__(self) -> None:
        _check_scale(self.scale)

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        return bicubic_downscale(image, self.scale, quantize=self.quantize)


@dataclass(frozen=True)
class AreaDownscale(Degradation):
    """:func:`area_downscale` as a degradation (draws nothing)."""

    scale: int = 4
    quantize: bool = False

    def __post_init__(self) -> None:
        _check_scale(self.scale)

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        return area_downscale(image, self.scale, quantize=self.quantize)
