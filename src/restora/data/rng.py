"""Explicit randomness for data code: every random choice draws from a generator passed in.

Data transforms take ``rng``: a ``numpy.random.Generator`` (used directly) or a
``torch.Generator`` (a numpy generator is seeded from it, so the torch generator advances).
Never the global numpy/torch/random state.
"""

from __future__ import annotations

import numpy as np
import torch

Rng = np.random.Generator | torch.Generator
Range = float | tuple[float, float]


def numpy_rng(rng: Rng) -> np.random.Generator:
    """The numpy generator for ``rng`` (itself, or one seeded from a ``torch.Generator``).

    >>> numpy_rng(torch.Generator().manual_seed(0)).random() == numpy_rng(
    ...     torch.Generator().manual_seed(0)).random()
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, torch.Generator):
        seed = int(torch.randint(0, 2**62, (1,), generator=rng))
        return np.random.default_rng(seed)
    raise TypeError(
        f"rng must be a numpy.random.Generator or torch.Generator, got {type(rng).__name__}"
    )


def sample_rng(seed: int, index: int, epoch: int = 0) -> np.random.Generator:
    """A generator for one dataset item: the same ``(seed, epoch, index)`` gives the same stream,
    whatever the worker or the order in which items are drawn."""
    if seed < 0 or index < 0 or epoch < 0:
        raise ValueError(f"seed, index and epoch must be >= 0, got {seed}, {index}, {epoch}")
    return np.random.default_rng(np.random.SeedSequence([seed, epoch, index]))


def draw(rng: np.random.Generator, value: Range) -> float:
    """``value`` itself, or a uniform draw from ``(low, high)``."""
    if isinstance(value, (tuple, list)):
        low, high = value
        if low > high:
            raise ValueError(f"range must be (low, high) with low <= high, got {tuple(value)}")
        return float(rng.uniform(low, high))
    return float(value)


def check_range_option(
    value: Range, name: str, low: float = 0.0, high: float = float("inf")
) -> None:
    """Raise ``ValueError`` unless ``value`` (or both ends of it) lies in ``[low, high]``."""
    ends = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(ends) != 2 or ends[0] > ends[1] or ends[0] < low or ends[1] > high:
        raise ValueError(
            f"{name} must be a number or (low, high) within [{low}, {high}], got {value!r}"
        )
