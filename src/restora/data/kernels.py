"""Blur kernels (isotropic / anisotropic Gaussian, linear motion) and convolution with them.

Kernels are float32 ``(k, k)`` tensors, ``k`` odd, summing to 1. Random generators take
``rng`` (see `restora.data.rng`).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from restora.core.checks import check_shape
from restora.data.rng import Range, Rng, check_range_option, draw, numpy_rng


def _check_size(size: int) -> None:
    if size < 1 or size % 2 == 0:
        raise ValueError(f"kernel size must be a positive odd integer, got {size}")


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    r = (size - 1) / 2
    return np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1), indexing="xy")


def gaussian_kernel(
    size: int, sigma_x: float, sigma_y: float | None = None, angle: float = 0.0
) -> torch.Tensor:
    """Sampled 2-D Gaussian, normalised to sum 1.

    Args:
        size: odd kernel size ``k``.
        sigma_x: standard deviation (pixels) along the first principal axis.
        sigma_y: along the second axis; None = ``sigma_x`` (isotropic).
        angle: rotation of the first axis from the x axis, radians (counter-clockwise as seen
            with y pointing down the image).

    Returns:
        float32 ``(k, k)``.

    >>> round(float(gaussian_kernel(5, 1.0).sum()), 6)
    1.0
    """
    _check_size(size)
    sigma_y = sigma_x if sigma_y is None else sigma_y
    if sigma_x <= 0 or sigma_y <= 0:
        raise ValueError(f"sigmas must be > 0, got {sigma_x}, {sigma_y}")
    x, y = _grid(size)
    cos, sin = math.cos(angle), math.sin(angle)
    u = cos * x + sin * y  # coordinates along the principal axes
    v = -sin * x + cos * y
    kernel = np.exp(-0.5 * ((u / sigma_x) ** 2 + (v / sigma_y) ** 2))
    return torch.from_numpy((kernel / kernel.sum()).astype(np.float32))


def motion_kernel(size: int, length: float, angle: float) -> torch.Tensor:
    """Linear motion blur: a centred segment of ``length`` pixels at ``angle`` radians,
    antialiased (8x supersampled), normalised to sum 1. ``length`` <= 1 gives the identity.

    Returns:
        float32 ``(k, k)``, point-symmetric about the centre.
    """
    _check_size(size)
    if length < 0 or length > size:
        raise ValueError(f"length must be in [0, size={size}], got {length}")
    ss = 8
    x, y = _grid(size * ss)
    x, y = x / ss, y / ss
    cos, sin = math.cos(angle), math.sin(angle)
    along = cos * x + sin * y
    across = -sin * x + cos * y
    half = max(length, 1.0) / 2
    # Distance to the segment; a line one pixel wide with soft (linear) edges.
    dist = np.hypot(np.clip(np.abs(along) - half, 0, None), across)
    fine = np.clip(1.0 - dist / 0.5, 0, 1) if length > 1 else (np.hypot(x, y) <= 0.5) * 1.0
    kernel = fine.reshape(size, ss, size, ss).mean(axis=(1, 3))
    return torch.from_numpy((kernel / kernel.sum()).astype(np.float32))


def random_gaussian_kernel(
    rng: Rng, *, size: int = 21, sigma: Range = (0.2, 3.0), anisotropic: bool = True
) -> torch.Tensor:
    """A Gaussian kernel with sigmas drawn from ``sigma`` (independently per axis when
    ``anisotropic``, with a uniform random angle)."""
    check_range_option(sigma, "sigma", 1e-3)
    gen = numpy_rng(rng)
    sigma_x, sigma_y, angle = draw(gen, sigma), draw(gen, sigma), float(gen.uniform(0, math.pi))
    if not anisotropic:
        return gaussian_kernel(size, sigma_x)
    return gaussian_kernel(size, sigma_x, sigma_y, angle)


def random_motion_kernel(rng: Rng, *, size: int = 21, length: Range = (3.0, 15.0)) -> torch.Tensor:
    """A linear motion kernel with length drawn from ``length`` and a uniform angle."""
    check_range_option(length, "length", 0.0, size)
    gen = numpy_rng(rng)
    return motion_kernel(size, draw(gen, length), float(gen.uniform(0, math.pi)))


def convolve(image: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Convolve every channel with ``kernel`` (true convolution), reflect-padded to keep size.

    Args:
        image: float ``(B, C, H, W)``; H and W must exceed ``k // 2``.
        kernel: ``(k, k)``, k odd.

    Returns:
        ``(B, C, H, W)`` in the input dtype (not clamped).
    """
    check_shape(image, ["B", "C", "H", "W"], "image")
    check_shape(kernel, ["K", "K"], "kernel")
    size = kernel.shape[-1]
    _check_size(size)
    pad = size // 2
    if pad >= min(image.shape[-2:]):
        raise ValueError(
            f"image {tuple(image.shape[-2:])} is too small for reflect padding by {pad} px"
        )
    channels = image.shape[1]
    weight = kernel.flip(-1, -2).to(image).expand(channels, 1, size, size)
    padded = F.pad(image, (pad, pad, pad, pad), mode="reflect")
    return F.conv2d(padded, weight, groups=channels)
