"""Bundled example photos (from scikit-image's data, an optional dependency) and damaged versions.

The images are scikit-image's public-domain samples (``astronaut`` is a NASA photo of Eileen
Collins; ``coffee``, ``chelsea`` and the monochrome ``camera`` are released by their
photographers under CC0).
"""

from __future__ import annotations

import numpy as np
import torch

from restora.core.errors import RestoraError
from restora.data.damage import DamageConfig, synthesize_damage
from restora.io.arrays import numpy_to_tensor

EXAMPLES = ("astronaut", "coffee", "chelsea", "camera")


def example_image(name: str = "astronaut") -> torch.Tensor:
    """Load a bundled example photo as float32 ``(1, 3, H, W)`` in [0, 1].

    Args:
        name: one of ``EXAMPLES`` ("astronaut" 512x512, "coffee" 400x600, "chelsea" 300x451,
            "camera" 512x512 monochrome, as three equal channels).

    Raises:
        RestoraError: scikit-image is not installed.
        ValueError: unknown name.
    """
    if name not in EXAMPLES:
        raise ValueError(f"unknown example {name!r}; choose one of {', '.join(EXAMPLES)}")
    try:
        from skimage import data
    except ImportError as exc:
        raise RestoraError("install restora[dev] (scikit-image) for the bundled examples") from exc
    array = getattr(data, name)()
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    return numpy_to_tensor(np.ascontiguousarray(array[:, :, :3]))


def damaged_example(
    name: str = "astronaut", *, seed: int = 0, config: DamageConfig | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """An aged and damaged example photo with its damage mask (``config`` defaults to
    ``DamageConfig()``; the same seed gives the same result).

    Returns:
        ``(damaged, mask, clean)``: float32 ``(1, 3, H, W)`` in [0, 1], float32 ``(1, 1, H, W)``
        in {0, 1} (1 = damaged pixel) and the clean original ``(1, 3, H, W)``.
    """
    clean = example_image(name)
    rng = np.random.default_rng(seed)
    damaged, mask = synthesize_damage(clean, rng=rng, config=config or DamageConfig())
    return damaged, mask, clean
