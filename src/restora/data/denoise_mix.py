"""`DenoiseMixTask`: blind denoising pairs for old photos - AWGN plus gray photos, film grain and
JPEG, each with its own probability (the ``denoise_mix`` task preset)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from restora.color.gray import rgb_to_gray
from restora.data.aging import film_grain
from restora.data.jpeg import jpeg_roundtrip
from restora.data.noise import add_gaussian_noise
from restora.data.sample import PairedSample


@dataclass(frozen=True)
class DenoiseMixTask:
    """A colour model's denoising pairs: RGB ``(3, H, W)`` in and out, always.

    Per sample, in this order (each draw from ``rng``):

    1. with ``gray_probability`` the clean crop becomes its BT.601 luma in all three channels
       (a black-and-white scan) and its noise is one field shared by the channels;
    2. with ``grain_probability`` monochrome film grain
       (:func:`restora.data.aging.film_grain`, strength uniform in ``grain_sigma`` / 255, grain
       size uniform in ``grain_size`` pixels; clipped to [0, 1]) is added;
    3. AWGN with sigma uniform in ``sigma`` (8-bit levels, x / 255), clipped only if ``clip``
       (the DnCNN / FFDNet benchmarks do not clip);
    4. with ``jpeg_probability`` the noisy image is clipped and JPEG-compressed at a quality
       uniform in ``jpeg_quality``.

    The target is the clean crop (gray for gray samples). ``meta`` records ``sigma``, ``gray``,
    ``grain`` (grain sigma, 0 if none) and ``jpeg`` (quality, 0 if none).

    >>> task = DenoiseMixTask(gray_probability=1.0)
    >>> pair = task.make_pair(torch.rand(1, 3, 8, 8), np.random.default_rng(0))
    >>> bool((pair.target[0] == pair.target[1]).all()), pair.input.shape
    (True, torch.Size([3, 8, 8]))
    """

    name: ClassVar[str] = "denoise_mix"
    sigma: tuple[float, float] = (0.0, 55.0)
    clip: bool = False
    gray_probability: float = 0.15
    grain_probability: float = 0.1
    grain_sigma: tuple[float, float] = (3.0, 15.0)
    grain_size: tuple[float, float] = (0.0, 1.5)
    jpeg_probability: float = 0.1
    jpeg_quality: tuple[int, int] = (40, 95)

    def __post_init__(self) -> None:
        for name in ("sigma", "grain_sigma", "grain_size"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f"{name} must be (low, high) with 0 <= low <= high")
        low, high = self.jpeg_quality
        if not 1 <= low <= high <= 100:
            raise ValueError(f"jpeg_quality must be (low, high) in 1..100, got {self.jpeg_quality}")
        for name in ("gray_probability", "grain_probability", "jpeg_probability"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")

    @property
    def crop_multiple(self) -> int:
        return 1

    def make_pair(self, clean: torch.Tensor, rng: np.random.Generator) -> PairedSample:
        gray = bool(rng.random() < self.gray_probability)
        target = rgb_to_gray(clean).expand(-1, 3, -1, -1).contiguous() if gray else clean
        noisy = target
        grain = 0.0
        if rng.random() < self.grain_probability:
            grain = float(rng.uniform(*self.grain_sigma))
            size = float(rng.uniform(*self.grain_size))
            noisy = film_grain(noisy, rng=rng, sigma=grain / 255.0, size=size)
        level = float(rng.uniform(*self.sigma))
        noisy = add_gaussian_noise(noisy, level / 255.0, rng, gray=gray, clip=self.clip)
        quality = 0
        if rng.random() < self.jpeg_probability:
            quality = int(rng.integers(self.jpeg_quality[0], self.jpeg_quality[1] + 1))
            noisy = jpeg_roundtrip(noisy.clamp(0, 1), quality)
        meta = {"sigma": level, "gray": gray, "grain": grain, "jpeg": quality}
        return PairedSample(noisy[0], target[0], meta=meta)
