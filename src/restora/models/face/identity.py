"""Identity distance: how far a restoration moved each face's embedding.

``identity_distance(before, after, faces, embedder)`` embeds the same faces (found once, in
``before``) in both images and returns their Euclidean distances; ``after`` may be an upscaled
version (face coordinates are scaled by the width ratio). A face whose distance exceeds the
embedder's same-person threshold times ``drift_fraction`` is flagged by :func:`drifted`.
"""

from __future__ import annotations

import numpy as np
import torch

from restora.core.checks import check_image
from restora.models.face.embed import Embedder
from restora.models.face.face import Face

__all__ = ["drifted", "identity_distance"]


def identity_distance(
    before: torch.Tensor, after: torch.Tensor, faces: list[Face], embedder: Embedder
) -> np.ndarray:
    """Distances (N,) between each face's embedding in ``before`` and in ``after``.

    ``before``, ``after``: (1, 3, H, W) in [0, 1] of the same photo (``after`` may be a
    multiple of the size; the aspect ratio must match within 1 %). ``faces``: found in
    ``before``.
    """
    check_image(before, "before")
    check_image(after, "after")
    ratio_w = after.shape[-1] / before.shape[-1]
    ratio_h = after.shape[-2] / before.shape[-2]
    if abs(ratio_w - ratio_h) > 0.01 * max(ratio_w, ratio_h):
        raise ValueError(
            f"after {tuple(after.shape)} is not a resized before {tuple(before.shape)}"
        )
    if not faces:
        return np.zeros(0)
    a = embedder.embed(before, faces)
    b = embedder.embed(after, [f.scaled(ratio_w) for f in faces] if ratio_w != 1 else faces)
    return np.linalg.norm(a - b, axis=1)


def drifted(distances: np.ndarray, embedder: Embedder, drift_fraction: float = 0.5) -> np.ndarray:
    """Boolean (N,): faces moved further than ``drift_fraction`` of the same-person threshold."""
    return np.asarray(distances) > drift_fraction * embedder.threshold
