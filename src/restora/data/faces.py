"""Identity-labelled faces for embedding training: records, a heavy old-photo augmentation and
P x K batches (P identities, K images each) for batch-hard triplet mining.

A record is one photo (kept small: ``(1, 3, H, W)`` in [0, 1]), the five landmarks of its face
and an integer identity. Every random choice draws from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from restora.models.face.align import LUMA, alignment_matrix, face_crop_gray, to_gray
from restora.ops.similarity import warp_similarity

__all__ = ["FaceRecord", "augment_face", "face_crop_gray", "pk_batch", "to_gray"]


@dataclass(frozen=True)
class FaceRecord:
    """One face: ``image`` (1, 3, H, W) in [0, 1], ``landmarks`` (5, 2) pixels, ``label``."""

    image: torch.Tensor
    landmarks: np.ndarray
    label: int
    name: str = ""


def _blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, math.ceil(3 * sigma))
    t = torch.arange(-radius, radius + 1, dtype=x.dtype)
    k = torch.exp(-(t**2) / (2 * sigma**2))
    k = k / k.sum()
    x = F.pad(x, (radius, radius, radius, radius), mode="replicate")
    x = F.conv2d(x, k.view(1, 1, 1, -1))
    return F.conv2d(x, k.view(1, 1, -1, 1))


def augment_face(
    record: FaceRecord, rng: np.random.Generator, *, size: int = 64, zoom: float = 0.85
) -> torch.Tensor:
    """A randomly degraded aligned gray crop (1, 1, size, size) in [0, 1] of ``record``.

    Geometry: scale x[0.9, 1.1], rotation ±8°, shift ±5 % of the crop, mirror (p 0.5).
    Tone: random film sensitivity (R, G, B weights), gamma [0.6, 1.6], contrast [0.5, 1.3],
    brightness ±0.12, fading toward grey (p 0.3). Blur sigma [0.4, 1.6] (p 0.5), low resolution
    (down to 14-40 px and back, p 0.3), Gaussian noise sigma up to 0.05 (p 0.5).
    """
    matrix = alignment_matrix(record.landmarks, size, zoom=zoom)
    angle = math.radians(rng.uniform(-8, 8))
    scale = rng.uniform(0.9, 1.1)
    c = (size - 1) / 2
    rot = scale * np.array(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    shift = rng.uniform(-0.05, 0.05, 2) * size
    jitter = np.hstack([rot, (np.array([c, c]) - rot @ np.array([c, c]) + shift)[:, None]])
    full = np.vstack([jitter, [0, 0, 1]]) @ np.vstack([matrix, [0, 0, 1]])
    rgb = warp_similarity(record.image, full[:2], (size, size)).clamp(0, 1)
    if rng.random() < 0.5:
        rgb = rgb.flip(-1)
    weights = rng.dirichlet(np.array(LUMA) * 12 + 0.5)
    x = to_gray(rgb, tuple(weights.tolist()))
    x = x.clamp(1e-4, 1) ** rng.uniform(0.6, 1.6)
    mean = x.mean()
    x = (x - mean) * rng.uniform(0.5, 1.3) + mean + rng.uniform(-0.12, 0.12)
    if rng.random() < 0.3:
        x = x + (rng.uniform(0.4, 0.8) - x) * rng.uniform(0.1, 0.5)
    if rng.random() < 0.5:
        x = _blur(x, rng.uniform(0.4, 1.6))
    if rng.random() < 0.3:
        low = int(rng.integers(14, 41))
        x = F.interpolate(x, size=(low, low), mode="area")
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    if rng.random() < 0.5:
        x = x + torch.from_numpy(
            rng.normal(0, rng.uniform(0.005, 0.05), x.shape).astype(np.float32)
        )
    return x.clamp(0, 1)


def pk_batch(
    labels: np.ndarray, rng: np.random.Generator, *, identities: int, per_identity: int
) -> np.ndarray:
    """Indices of a P x K batch: ``identities`` distinct labels, ``per_identity`` records each
    (drawn without replacement when the identity has enough, else with; a single-photo identity
    repeats its photo, so its positives differ only by augmentation)."""
    labels = np.asarray(labels)
    unique = np.unique(labels)
    if len(unique) < 2 or identities < 2:
        raise ValueError("a triplet batch needs at least two identities")
    chosen = rng.choice(unique, size=min(identities, len(unique)), replace=False)
    picks = []
    for label in chosen:
        members = np.flatnonzero(labels == label)
        replace = len(members) < per_identity
        picks.append(rng.choice(members, size=per_identity, replace=replace))
    return np.concatenate(picks)
