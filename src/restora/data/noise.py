"""Noise degradations: additive white Gaussian noise and Poisson (shot) noise, colour or gray.

Noise is drawn with the numpy generator as float32 (a ``(B, 1 or 3, H, W)`` field).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from restora.color.gray import rgb_to_gray
from restora.data.degradations import Degradation
from restora.data.rng import Range, check_range_option, draw


def _normal(rng: np.random.Generator, shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
    field = rng.standard_normal(shape, dtype=np.float32)
    return torch.from_numpy(field).to(device=like.device, dtype=like.dtype)


def add_gaussian_noise(
    image: torch.Tensor,
    sigma: float,
    rng: np.random.Generator,
    *,
    gray: bool = False,
    clip: bool = True,
) -> torch.Tensor:
    """``image + sigma * N(0, 1)``.

    Args:
        image: float ``(B, C, H, W)``.
        sigma: standard deviation in [0, 1] units (25/255 ~ 0.098).
        rng: numpy generator.
        gray: one noise field shared by all channels (luminance noise) instead of one per channel.
        clip: clamp the result to [0, 1]. Unclipped noise (``clip=False``) is the DnCNN/FFDNet
            training and benchmark protocol; its output leaves [0, 1].

    Returns:
        ``(B, C, H, W)`` in the input dtype.
    """
    batch, channels, height, width = image.shape
    noise = _normal(rng, (batch, 1 if gray else channels, height, width), image)
    out = image + sigma * noise
    return out.clamp(0, 1) if clip else out


def add_poisson_noise(
    image: torch.Tensor, peak: float, rng: np.random.Generator, *, gray: bool = False
) -> torch.Tensor:
    """Shot noise: ``Poisson(image * peak) / peak`` (``peak`` = photon count at white), clamped.

    With ``gray`` the noise of the BT.601 luma is added to all three channels. Variance at
    level ``x`` is ``x / peak``.
    """
    if peak <= 0:
        raise ValueError(f"peak must be > 0, got {peak}")
    base = rgb_to_gray(image) if gray else image
    counts = rng.poisson(base.detach().cpu().double().clamp(0, 1).numpy() * peak)
    noisy = torch.from_numpy(counts / peak).to(image)
    return (image + (noisy - base)).clamp(0, 1)


@dataclass(frozen=True)
class GaussianNoise(Degradation):
    """Additive Gaussian noise.

    Attributes:
        sigma: standard deviation in [0, 1] units, fixed or ``(low, high)`` (uniform).
        gray_probability: chance of luminance-only noise (else independent per channel).
        clip: clamp to [0, 1] (see :func:`add_gaussian_noise`).
    """

    sigma: Range = (0.0, 50 / 255)
    gray_probability: float = 0.0
    clip: bool = True

    def __post_init__(self) -> None:
        check_range_option(self.sigma, "sigma", 0.0)
        if not 0.0 <= self.gray_probability <= 1.0:
            raise ValueError(f"gray_probability must be in [0, 1], got {self.gray_probability}")

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        sigma = draw(rng, self.sigma)
        gray = rng.random() < self.gray_probability
        return add_gaussian_noise(image, sigma, rng, gray=gray, clip=self.clip)


@dataclass(frozen=True)
class PoissonNoise(Degradation):
    """Poisson noise with ``peak`` drawn log-uniformly from ``(low, high)`` (or fixed)."""

    peak: Range = (10.0, 1000.0)
    gray_probability: float = 0.0

    def __post_init__(self) -> None:
        check_range_option(self.peak, "peak", 1e-6)
        if not 0.0 <= self.gray_probability <= 1.0:
            raise ValueError(f"gray_probability must be in [0, 1], got {self.gray_probability}")

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        if isinstance(self.peak, (tuple, list)):
            peak = math.exp(draw(rng, (math.log(self.peak[0]), math.log(self.peak[1]))))
        else:
            peak = float(self.peak)
        gray = rng.random() < self.gray_probability
        return add_poisson_noise(image, peak, rng, gray=gray)
