"""One entry point for the face detectors: restora's MTCNN and dlib's HOG / MMOD peers."""

from __future__ import annotations

from typing import Literal

import torch

from restora.models.face.face import Face
from restora.models.face.mtcnn import OLD_PHOTOS, MTCNNSettings, detect_faces

__all__ = ["DETECTORS", "default_detector", "find_faces"]

DETECTORS = ("mtcnn", "hog", "mmod")


def default_detector() -> Literal["mtcnn", "hog"] | None:
    """The face detector the pipeline uses: restora's MTCNN when its reference weights are
    found (see :mod:`restora.models.face.mtcnn_weights`), else dlib's HOG detector when the
    ``faces`` extra is installed, else None (no face detector available)."""
    from restora.models.face.dlib_peers import dlib_available
    from restora.models.face.mtcnn_weights import mtcnn_available

    if mtcnn_available():
        return "mtcnn"
    if dlib_available():
        return "hog"
    return None


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
