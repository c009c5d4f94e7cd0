"""Face alignment: a similarity transform from MTCNN's five landmarks to a canonical template.

The template is the five-point layout widely used for 112x112 face crops (InsightFace's
ArcFace crops): eye centres, nose tip and mouth corners of an upright, frontal face. Crops of
other sizes scale it.
"""

from __future__ import annotations

import numpy as np
import torch

from restora.core.checks import check_range
from restora.models.face.face import Face
from restora.ops.similarity import estimate_similarity, warp_similarity

__all__ = ["LUMA", "TEMPLATE_112", "align_face", "alignment_matrix", "face_crop_gray", "to_gray"]

LUMA = (0.299, 0.587, 0.114)
"""BT.601 luma weights of R, G, B."""

TEMPLATE_112 = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ]
)
"""Canonical (x, y) of left eye, right eye, nose, left and right mouth corner in a 112x112 crop."""


def alignment_matrix(landmarks: np.ndarray, size: int = 112, *, zoom: float = 1.0) -> np.ndarray:
    """The (2, 3) similarity mapping image points to a ``size`` x ``size`` aligned crop.

    ``zoom`` < 1 shows more context around the face (the template shrinks about the centre).
    """
    if size < 8:
        raise ValueError(f"size must be >= 8, got {size}")
    if not zoom > 0:
        raise ValueError(f"zoom must be > 0, got {zoom}")
    template = (TEMPLATE_112 - 56.0) * zoom + 56.0
    return estimate_similarity(np.asarray(landmarks, np.float64), template * (size / 112.0))


def align_face(
    image: torch.Tensor, face: Face, size: int = 112, *, zoom: float = 1.0
) -> torch.Tensor:
    """The aligned crop ``(1, C, size, size)`` of ``face`` in ``image`` (1, C, H, W) in [0, 1].

    Faces without landmarks are cropped from their box instead (square about its centre, no
    rotation), with the box filling the template's face area.
    """
    check_range(image, 0, 1, "image")
    if face.landmarks is not None:
        matrix = alignment_matrix(face.landmark_array(), size, zoom=zoom)
    else:
        x0, y0, x1, y1 = face.box
        side = max(x1 - x0, y1 - y0) / zoom
        scale = size / side
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        matrix = np.array([[scale, 0, size / 2 - scale * cx], [0, scale, size / 2 - scale * cy]])
    return warp_similarity(image, matrix, (size, size)).clamp(0, 1)


def to_gray(image: torch.Tensor, weights: tuple[float, float, float] = LUMA) -> torch.Tensor:
    """(B, 3, H, W) → (B, 1, H, W) weighted sum of R, G, B (BT.601 luma by default)."""
    w = torch.as_tensor(weights, dtype=image.dtype).view(1, 3, 1, 1)
    return (image * w).sum(dim=1, keepdim=True)


def face_crop_gray(
    image: torch.Tensor, landmarks: np.ndarray, size: int, zoom: float
) -> torch.Tensor:
    """The aligned gray crop (1, 1, size, size) used by restora's embedding network."""
    matrix = alignment_matrix(landmarks, size, zoom=zoom)
    return to_gray(warp_similarity(image, matrix, (size, size)).clamp(0, 1))
