"""Mask generators: boxes, synthetic scratches/dust, and mixtures of generators.

A mask generator is a seeded callable ``generator(height, width, rng)`` returning float32
``(1, 1, H, W)`` in {0, 1}, 1 = hole. See also `restora.data.free_form.FreeFormMask` and
`restora.data.nvidia_masks.NvidiaMasks`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

import numpy as np
import torch

from restora.data.damage import DamageConfig, draw_damage
from restora.data.rng import Rng, numpy_rng


class MaskGenerator(Protocol):
    def __call__(self, height: int, width: int, rng: Rng) -> torch.Tensor: ...


@dataclass(frozen=True)
class BoxMask:
    """``count`` axis-aligned rectangles, each side a uniform fraction ``size`` of the image's
    side, at uniform positions inside the image."""

    count: tuple[int, int] = (1, 3)
    size: tuple[float, float] = (0.1, 0.4)

    def __post_init__(self) -> None:
        if not 0 < self.count[0] <= self.count[1]:
            raise ValueError(f"count must be (low, high) with 0 < low <= high, got {self.count}")
        if not 0 < self.size[0] <= self.size[1] <= 1:
            raise ValueError(f"size must be fractions 0 < low <= high <= 1, got {self.size}")

    def __call__(self, height: int, width: int, rng: Rng) -> torch.Tensor:
        gen = numpy_rng(rng)
        mask = torch.zeros(1, 1, height, width)
        for _ in range(int(gen.integers(self.count[0], self.count[1] + 1))):
            box_h = max(1, round(gen.uniform(*self.size) * height))
            box_w = max(1, round(gen.uniform(*self.size) * width))
            top = int(gen.integers(0, height - box_h + 1))
            left = int(gen.integers(0, width - box_w + 1))
            mask[..., top : top + box_h, left : left + box_w] = 1.0
        return mask


_DAMAGE_KINDS = {
    "all": {},
    "scratches": {"dust": (0, 0), "hairs": (0, 0)},
    "dust": {"scratches": (0, 0), "curved_scratches": (0, 0)},
    "cracks": {
        "scratches": (0, 3),
        "curved_scratches": (0, 2),
        "dust": (0, 8),
        "hairs": (0, 2),
        "cracks": (1, 4),
        "craquelure": (0, 1),
        "folds": (0, 1),
    },
}


@dataclass(frozen=True)
class DamageMask:
    """The mask of damage drawn by :func:`restora.data.damage.draw_damage` on a mid-gray
    canvas: exactly the pixels a scratch, hair or dust speck would change.

    Attributes:
        kind: "all", "scratches" (straight and curved scratches only), "dust" (specks and
            hairs only) or "cracks" (crack networks, craquelure, folds, with a few scratches,
            hairs and specks: the thin damage of real prints).
        config: counts and sizes; ``kind`` zeroes the other marks' counts, ``age`` is ignored.
        grow: the mask is dilated by a random 0..``grow`` px (3x3 steps), as the pipeline
            dilates detected masks before filling them.
    """

    kind: Literal["all", "scratches", "dust", "cracks"] = "all"
    config: DamageConfig = DamageConfig(age=False)
    grow: int = 0

    def __post_init__(self) -> None:
        if self.kind not in _DAMAGE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(_DAMAGE_KINDS)}, got {self.kind!r}")
        if self.grow < 0:
            raise ValueError(f"grow must be >= 0, got {self.grow}")

    def __call__(self, height: int, width: int, rng: Rng) -> torch.Tensor:
        gen = numpy_rng(rng)
        config = replace(self.config, age=False, **_DAMAGE_KINDS[self.kind])
        canvas = torch.full((1, 3, height, width), 0.5)
        mask = draw_damage(canvas, rng=gen, config=config)[1]
        steps = int(gen.integers(0, self.grow + 1)) if self.grow else 0
        for _ in range(steps):
            mask = torch.nn.functional.max_pool2d(mask, 3, stride=1, padding=1)
        return mask


@dataclass(frozen=True)
class MaskMixture:
    """One of ``generators`` per call, picked with probabilities ``weights`` (None = uniform)."""

    generators: Sequence[MaskGenerator]
    weights: Sequence[float] | None = None

    def __post_init__(self) -> None:
        if not self.generators:
            raise ValueError("MaskMixture needs at least one generator")
        if self.weights is not None:
            if (
                len(self.weights) != len(self.generators)
                or min(self.weights) < 0
                or sum(self.weights) <= 0
            ):
                raise ValueError("weights must be one non-negative number per generator, not all 0")

    def __call__(self, height: int, width: int, rng: Rng) -> torch.Tensor:
        gen = numpy_rng(rng)
        p = None if self.weights is None else np.asarray(self.weights, float) / sum(self.weights)
        return self.generators[int(gen.choice(len(self.generators), p=p))](height, width, gen)


@dataclass(frozen=True)
class MaskUnion:
    """The union (pixel-wise maximum) of one mask from each of ``generators``."""

    generators: Sequence[MaskGenerator]

    def __call__(self, height: int, width: int, rng: Rng) -> torch.Tensor:
        if not self.generators:
            raise ValueError("MaskUnion needs at least one generator")
        gen = numpy_rng(rng)
        masks = [g(height, width, gen) for g in self.generators]
        return torch.stack(masks).amax(dim=0)
