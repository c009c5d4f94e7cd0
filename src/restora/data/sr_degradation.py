"""Old-photo degradation for super-resolution training: blur -> downscale -> noise -> JPEG.

Real low-resolution photos are not clean bicubic reductions (the seeds' point, after
Real-ESRGAN's "first-order" model): the optics and the print blur them, film grain and scanner
noise sit on the small image, and most copies went through JPEG. A network trained only on
bicubic LR sharpens that noise and those block edges. :class:`RealisticSRDegradation` draws a
random amount of each, per sample:

    HR --(Gaussian blur, sigma ~ U(blur), with probability blur_p)--> MATLAB bicubic x1/scale
       --(AWGN, sigma ~ U(noise) levels of 255, with probability noise_p; luminance-only with
          probability gray_noise_p)--> clip --(JPEG, quality ~ U{jpeg}, probability jpeg_p)--> LR

Everything stays float32 ``(1, 3, h, w)`` in [0, 1]; the LR leaves as 8-bit values (the JPEG
step decodes to 8 bits; without it the result is rounded) like a real file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from restora.data.downscale import bicubic_downscale
from restora.data.jpeg import jpeg_roundtrip
from restora.data.kernels import convolve, gaussian_kernel
from restora.data.noise import add_gaussian_noise

__all__ = ["RealisticSRDegradation"]


def _check_range(value: tuple[float, float], name: str, low: float, high: float) -> None:
    if len(value) != 2 or not low <= value[0] <= value[1] <= high:
        raise ValueError(f"{name} must be (low, high) within [{low}, {high}], got {value}")


@dataclass(frozen=True)
class RealisticSRDegradation:
    """Random blur, bicubic downscale by ``scale``, noise and JPEG (see the module docstring).

    Attributes:
        scale: integer downscale factor.
        blur: Gaussian sigma range in HR pixels; ``blur_p`` the chance of blurring at all.
        noise: noise sigma range in 8-bit levels; ``noise_p`` the chance of adding noise;
            ``gray_noise_p`` the chance that the noise is one field for all channels.
        jpeg: JPEG quality range (inclusive ints); ``jpeg_p`` the chance of compressing.
    """

    scale: int = 4
    blur: tuple[float, float] = (0.2, 2.0)
    blur_p: float = 0.8
    noise: tuple[float, float] = (1.0, 12.0)
    noise_p: float = 0.8
    gray_noise_p: float = 0.3
    jpeg: tuple[int, int] = (40, 95)
    jpeg_p: float = 0.8

    def __post_init__(self) -> None:
        if self.scale < 1:
            raise ValueError(f"scale must be >= 1, got {self.scale}")
        _check_range(self.blur, "blur", 1e-3, 10.0)
        _check_range(self.noise, "noise", 0.0, 255.0)
        _check_range(self.jpeg, "jpeg", 1, 100)
        for name in ("blur_p", "noise_p", "gray_noise_p", "jpeg_p"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")

    def __call__(self, clean: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        """``clean`` float32 ``(B, 3, H, W)`` in [0, 1], H and W multiples of ``scale`` ->
        LR ``(B, 3, H / scale, W / scale)`` in [0, 1], multiples of 1/255."""
        image = clean
        if rng.random() < self.blur_p:
            sigma = float(rng.uniform(*self.blur))
            size = 2 * max(1, int(np.ceil(3 * sigma))) + 1
            image = convolve(image, gaussian_kernel(size, sigma)).clamp(0, 1)
        lr = bicubic_downscale(image, self.scale, quantize=False)
        if rng.random() < self.noise_p:
            level = float(rng.uniform(*self.noise)) / 255.0
            gray = bool(rng.random() < self.gray_noise_p)
            lr = add_gaussian_noise(lr, level, rng, gray=gray, clip=True)
        else:
            lr = lr.clamp(0, 1)
        if rng.random() < self.jpeg_p:
            return jpeg_roundtrip(lr, int(rng.integers(self.jpeg[0], self.jpeg[1] + 1)))
        return torch.round(lr * 255) / 255
