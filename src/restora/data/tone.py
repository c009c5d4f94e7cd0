"""Tone degradations: grayscale, and the photo aging of `restora.data.aging` (sepia, fade,
film grain, all together) as seeded degradations with random amounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from restora.color.gray import rgb_to_gray
from restora.data import aging
from restora.data.degradations import Degradation
from restora.data.rng import Range, check_range_option, draw


@dataclass(frozen=True)
class Grayscale(Degradation):
    """BT.601 luma replicated to 3 channels (draws nothing)."""

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        return rgb_to_gray(image).expand(-1, 3, -1, -1).contiguous()


@dataclass(frozen=True)
class Sepia(Degradation):
    """:func:`restora.data.aging.sepia` with ``strength`` fixed or drawn from ``(low, high)``."""

    single_image: ClassVar[bool] = True
    strength: Range = (0.3, 1.0)

    def __post_init__(self) -> None:
        check_range_option(self.strength, "strength", 0.0, 1.0)

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        return aging.sepia(image, strength=draw(rng, self.strength))


@dataclass(frozen=True)
class Fade(Degradation):
    """:func:`restora.data.aging.fade` with ``amount`` fixed or drawn from ``(low, high)``."""

    single_image: ClassVar[bool] = True
    amount: Range = (0.1, 0.5)

    def __post_init__(self) -> None:
        check_range_option(self.amount, "amount", 0.0, 1.0)

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        return aging.fade(image, amount=draw(rng, self.amount))


@dataclass(frozen=True)
class FilmGrain(Degradation):
    """:func:`restora.data.aging.film_grain`: ``sigma`` (mid-tone std) and ``size`` (grain blur
    in pixels) fixed or drawn from ``(low, high)``."""

    single_image: ClassVar[bool] = True
    sigma: Range = (0.005, 0.04)
    size: Range = (0.0, 1.2)

    def __post_init__(self) -> None:
        check_range_option(self.sigma, "sigma", 0.0)
        check_range_option(self.size, "size", 0.0)

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        sigma, size = draw(rng, self.sigma), draw(rng, self.size)
        return aging.film_grain(image, rng=rng, sigma=sigma, size=size)


@dataclass(frozen=True)
class AgePhoto(Degradation):
    """:func:`restora.data.aging.age_photo` with all amounts drawn from its realistic ranges
    (soft optics, grain, sepia, fading)."""

    single_image: ClassVar[bool] = True

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        return aging.age_photo(image, rng=rng)
