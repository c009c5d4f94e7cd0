"""dlib's face tools as peers of restora's own (optional: ``pip install restora[faces]``, which
brings ``dlib-bin`` and ``face-recognition-models``).

- :func:`dlib_detect`: HOG + linear SVM (``method="hog"``) or the CNN max-margin object
  detector (``"mmod"``); boxes only, no landmarks.
- :class:`DlibEmbedder`: dlib's 5-point shape predictor and ResNet face recognition model
  (128-d; dlib's suggested same-person threshold is a Euclidean distance of 0.6).

Only the 5-point landmark, MMOD and ResNet recognition models are used (open terms); the
68-point model of the same package is not (its training data forbids commercial use).
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from restora.core.errors import RestoraError
from restora.io.arrays import tensor_to_numpy
from restora.models.face.face import Face

__all__ = ["DlibEmbedder", "dlib_available", "dlib_detect", "dlib_model_path"]

_MODELS = {
    "mmod": "mmod_human_face_detector.dat",
    "shape5": "shape_predictor_5_face_landmarks.dat",
    "resnet": "dlib_face_recognition_resnet_model_v1.dat",
}
_INSTALL = "install restora[faces] (pip install dlib-bin face-recognition-models)"


def dlib_available() -> bool:
    """True when both ``dlib`` and ``face_recognition_models`` are installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("dlib", "face_recognition_models"))


def _dlib() -> Any:
    try:
        import dlib
    except ImportError:
        raise RestoraError(f"dlib is not installed: {_INSTALL}") from None
    return dlib


def dlib_model_path(name: Literal["mmod", "shape5", "resnet"]) -> Path:
    """Path of one of face_recognition_models' files (found without importing the package,
    whose ``__init__`` needs ``pkg_resources``)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RestoraError(f"face_recognition_models is not installed: {_INSTALL}")
    path = Path(list(spec.submodule_search_locations)[0]) / "models" / _MODELS[name]
    if not path.is_file():
        raise RestoraError(f"{path} is missing: reinstall face-recognition-models")
    return path


@functools.cache
def _model(name: str) -> Any:
    dlib = _dlib()
    if name == "hog":
        return dlib.get_frontal_face_detector()
    path = str(dlib_model_path(name))  # type: ignore[arg-type]
    return {
        "mmod": dlib.cnn_face_detection_model_v1,
        "shape5": dlib.shape_predictor,
        "resnet": dlib.face_recognition_model_v1,
    }[name](path)


def _uint8(image: torch.Tensor) -> np.ndarray:
    if image.ndim != 4 or image.shape[0] != 1 or image.shape[1] not in (1, 3):
        raise ValueError(f"expected one image (1, 3|1, H, W), got {tuple(image.shape)}")
    return tensor_to_numpy(image.expand(1, 3, *image.shape[-2:]))


def dlib_detect(
    image: torch.Tensor, *, method: Literal["hog", "mmod"] = "hog", upsample: int = 1
) -> list[Face]:
    """dlib's faces in ``image`` (1, 3, H, W) in [0, 1]; best score first, no landmarks.

    ``upsample``: times dlib doubles the image first (1 finds faces down to about 40 px for
    HOG / 40 px for MMOD; each step costs 4x). HOG scores are SVM margins (squashed to (0, 1)
    with a logistic so they sort like MTCNN's); MMOD scores likewise.
    """
    if method not in ("hog", "mmod"):
        raise ValueError(f"method must be 'hog' or 'mmod', got {method!r}")
    array = _uint8(image)
    detector = _model(method)
    faces = []
    if method == "hog":
        rects, scores, _ = detector.run(array, upsample, -0.5)
        found = list(zip(rects, scores, strict=True))
    else:
        found = [(d.rect, d.confidence) for d in detector(array, upsample)]
    for rect, score in found:
        box = (rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1)
        faces.append(Face(box=box, score=1.0 / (1.0 + np.exp(-float(score)))))
    return sorted(faces, key=lambda f: -f.score)


class DlibEmbedder:
    """dlib's ResNet face descriptor (128-d, Euclidean distance; ``threshold`` 0.6: dlib's
    same-person threshold from its LFW ROC. The ROC of caltech_faces' training identities gives
    0.516; both put every held-out person in one pure group, ``benchmarks/results/faces_group*``).

    ``embed(image, faces)`` → (N, 128) float64. Landmarks come from dlib's 5-point predictor run
    in each face's box; dlib aligns the 150x150 chip itself.
    """

    name = "dlib_resnet"
    threshold = 0.6

    def __init__(self, *, jitter: int = 0) -> None:
        self.jitter = jitter
        self._shape = _model("shape5")
        self._net = _model("resnet")
        self._dlib = _dlib()

    def embed(self, image: torch.Tensor, faces: list[Face]) -> np.ndarray:
        if not faces:
            return np.zeros((0, 128))
        array = _uint8(image)
        rows = []
        for face in faces:
            x0, y0, x1, y1 = (int(round(v)) for v in face.box)
            rect = self._dlib.rectangle(x0, y0, x1 - 1, y1 - 1)
            shape = self._shape(array, rect)
            rows.append(np.asarray(self._net.compute_face_descriptor(array, shape, self.jitter)))
        return np.stack(rows)
