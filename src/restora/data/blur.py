"""Blur degradations: random Gaussian (isotropic or anisotropic) and linear motion blur."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from restora.data.degradations import Degradation
from restora.data.kernels import convolve, random_gaussian_kernel, random_motion_kernel
from restora.data.rng import Range, check_range_option


@dataclass(frozen=True)
class GaussianBlur(Degradation):
    """Convolve with a random Gaussian kernel (reflect padding; one kernel per call).

    Attributes:
        sigma: standard deviation in pixels, fixed or ``(low, high)``.
        size: odd kernel size; keep it >= 6 sigma + 1.
        anisotropic: draw both axes' sigmas and a random angle.
    """

    sigma: Range = (0.2, 3.0)
    size: int = 21
    anisotropic: bool = False

    def __post_init__(self) -> None:
        check_range_option(self.sigma, "sigma", 1e-3)

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        kernel = random_gaussian_kernel(
            rng, size=self.size, sigma=self.sigma, anisotropic=self.anisotropic
        )
        return convolve(image, kernel).clamp(0, 1)


@dataclass(frozen=True)
class MotionBlur(Degradation):
    """Convolve with a random linear motion kernel (length in pixels, uniform angle)."""

    length: Range = (3.0, 15.0)
    size: int = 21

    def __post_init__(self) -> None:
        check_range_option(self.length, "length", 0.0, self.size)

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        kernel = random_motion_kernel(rng, size=self.size, length=self.length)
        return convolve(image, kernel).clamp(0, 1)
