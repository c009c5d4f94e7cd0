"""One entry point for the face detectors: restora's MTCNN and dlib's HOG / MMOD peers."""

from __future__ import annotations

from typing import Literal

import torch

from restora.models.face.face import Face
from restora.models.face.mtcnn import OLD_PHOTOS, MTCNNSettings, detect_faces

__all__ = ["DETECTORS", "find_faces"]

DETECTORS = ("mtcnn", "hog", "mmod")


def find_faces(
    image: torch.Tensor,
    *,
    method: Literal["mtcnn", "hog", "mmod"] = "mtcnn",
    settings: MTCNNSettings = OLD_PHOTOS,
    upsample: int = 1,
) -> list[Face]:
    """Faces in ``image`` (1, 3, H, W) in [0, 1], best first. ``settings`` apply to MTCNN,
    ``upsample`` to dlib's detectors (see :func:`restora.models.face.dlib_peers.dlib_detect`);
    only MTCNN gives landmarks."""
    if method == "mtcnn":
        return detect_faces(image, settings=settings)
    if method in ("hog", "mmod"):
        from restora.models.face.dlib_peers import dlib_detect

        return dlib_detect(image, method=method, upsample=upsample)
    raise ValueError(f"unknown face detector {method!r}; choose one of {', '.join(DETECTORS)}")
