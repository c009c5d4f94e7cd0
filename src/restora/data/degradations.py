"""The degradation interface and its combinators (`Compose`, `RandomChoice`, `RandomApply`).

A degradation is a small seeded callable ``degradation(image, rng) -> image``: ``image`` float32
``(B, 3, H, W)`` in [0, 1] (``B = 1`` for the ones built on OpenCV or `restora.data.aging`),
``rng`` a ``numpy.random.Generator`` or ``torch.Generator``. Output stays in [0, 1] unless a
degradation says otherwise; downscaling changes H and W. The concrete degradations live in
`restora.data.downscale`, `.blur`, `.noise`, `.jpeg` and `.tone`.

>>> from restora.data.noise import GaussianNoise
>>> from restora.data.jpeg import JpegCompression
>>> degrade = Compose([GaussianNoise(sigma=(0.0, 0.1)), RandomApply(JpegCompression(), p=0.5)])
>>> degrade(torch.rand(1, 3, 16, 16), np.random.default_rng(0)).shape
torch.Size([1, 3, 16, 16])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from restora.core.checks import check_image
from restora.data.rng import Rng, numpy_rng


class Degradation:
    """Base class: checks the image, turns ``rng`` into a numpy generator, calls ``apply``."""

    single_image: ClassVar[bool] = False  # True: only (1, 3, H, W) is accepted

    def __call__(self, image: torch.Tensor, rng: Rng) -> torch.Tensor:
        check_image(image)
        if self.single_image and image.shape[0] != 1:
            raise ValueError(
                f"{type(self).__name__} takes one image (1, 3, H, W), got batch of {image.shape[0]}"
            )
        return self.apply(image, numpy_rng(rng))

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        raise NotImplementedError


@dataclass(frozen=True)
class Identity(Degradation):
    """Returns the image unchanged (draws nothing)."""

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        return image


@dataclass(frozen=True)
class Compose(Degradation):
    """Apply ``steps`` in order, all drawing from the same generator."""

    steps: Sequence[Degradation]

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        for step in self.steps:
            image = step(image, rng)
        return image


@dataclass(frozen=True)
class RandomChoice(Degradation):
    """Apply one of ``options``, picked with probabilities ``weights`` (None = uniform)."""

    options: Sequence[Degradation]
    weights: Sequence[float] | None = None

    def __post_init__(self) -> None:
        if not self.options:
            raise ValueError("RandomChoice needs at least one option")
        if self.weights is not None:
            if (
                len(self.weights) != len(self.options)
                or min(self.weights) < 0
                or sum(self.weights) <= 0
            ):
                raise ValueError("weights must be one non-negative number per option, not all 0")

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        p = None if self.weights is None else np.asarray(self.weights, float) / sum(self.weights)
        return self.options[int(rng.choice(len(self.options), p=p))](image, rng)


@dataclass(frozen=True)
class RandomApply(Degradation):
    """Apply ``degradation`` with probability ``p`` (one uniform draw is always made)."""

    degradation: Degradation
    p: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.p <= 1.0:
            raise ValueError(f"p must be in [0, 1], got {self.p}")

    def apply(self, image: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
        if rng.random() < self.p:
            return self.degradation(image, rng)
        return image
