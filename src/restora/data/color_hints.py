"""Simulated user colour hints for training hint colorizers (Zhang et al., SIGGRAPH 2017).

The authors' recipe (``add_color_patches_rand_gt`` in their colorization-pytorch release):
the number of hints is geometric, ``P(n) = (1 - p)^n p`` for ``n = 0, 1, ...`` (``p = 1/8``:
7 hints on average, none 1/8 of the time); each hint is a square patch of side ``P`` drawn
uniformly from ``patch`` (1-9 px), placed at a position drawn from a normal distribution
around the crop's centre (standard deviation a quarter of the free range, clipped) or
uniformly; every pixel of the patch gets the patch's mean ab. Later patches overwrite earlier
ones where they overlap.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch

from restora.core.checks import check_shape
from restora.data.rng import Rng, numpy_rng

__all__ = ["HintLocation", "sample_hints"]

HintLocation = Literal["normal", "uniform"]


def sample_hints(
    ab: torch.Tensor,
    rng: Rng,
    *,
    p: float = 0.125,
    patch: tuple[int, int] = (1, 9),
    location: HintLocation = "normal",
    max_points: int = 0,
) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Draw hint patches from the true colours ``ab``.

    Args:
        ab: ``(1, 2, H, W)`` CIE a, b of the ground truth.
        rng: numpy or torch generator.
        p: parameter of the geometric number of hints (1 = never any hint).
        patch: smallest and largest patch side in pixels (both included).
        location: ``"normal"`` (around the centre, as the authors) or ``"uniform"``.
        max_points: cap on the number of hints (0 = none).

    Returns:
        ``(hints (1, 2, H, W), mask (1, 1, H, W), n)``: the patches' mean ab (CIE units, 0
        outside the patches), the mask (1 inside a patch, 0 elsewhere, ``ab``'s dtype) and the
        number of patches drawn.

    >>> ab = torch.zeros(1, 2, 16, 16)
    >>> hints, mask, n = sample_hints(ab, np.random.default_rng(0), p=1.0)
    >>> n, float(mask.sum())
    (0, 0.0)
    """
    check_shape(ab, ["1", "2", "H", "W"], "ab")
    if not 0 < p <= 1:
        raise ValueError(f"p must be in (0, 1], got {p}")
    low, high = patch
    if not 1 <= low <= high:
        raise ValueError(f"patch must be (low, high) with 1 <= low <= high, got {patch}")
    if location not in ("normal", "uniform"):
        raise ValueError(f"location must be 'normal' or 'uniform', got {location!r}")
    if max_points < 0:
        raise ValueError(f"max_points must be >= 0, got {max_points}")
    gen = numpy_rng(rng)
    _, _, height, width = ab.shape
    count = int(gen.geometric(p)) - 1  # failures before the first success: 0, 1, 2, ...
    if max_points:
        count = min(count, max_points)
    hints = torch.zeros_like(ab)
    mask = torch.zeros_like(ab[:, :1])
    for _ in range(count):
        side = int(gen.integers(low, high + 1))
        side = min(side, height, width)
        top = _position(gen, height - side + 1, location)
        left = _position(gen, width - side + 1, location)
        region = (slice(None), slice(None), slice(top, top + side), slice(left, left + side))
        hints[region] = ab[region].mean(dim=(-2, -1), keepdim=True)
        mask[region] = 1
    return hints, mask, count


def _position(gen: np.random.Generator, free: int, location: HintLocation) -> int:
    """A start index in ``0 .. free - 1``."""
    if location == "uniform":
        return int(gen.integers(0, free))
    return int(np.clip(gen.normal(free / 2.0, free / 4.0), 0, free - 1))
