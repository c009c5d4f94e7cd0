"""Face embedders: restora's triplet-trained network and dlib's ResNet, behind one interface.

An embedder has ``name``, ``threshold`` (Euclidean distance below which two faces are taken to
be the same person; from the verification ROC, see the model card) and
``embed(image (1, 3, H, W) in [0, 1], faces) -> (N, D) float64``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import torch

from restora.core.errors import RestoraError
from restora.models import catalogue
from restora.models.checkpoint import load_model
from restora.models.face.align import face_crop_gray
from restora.models.face.face import Face

__all__ = ["EMBED_WEIGHTS", "Embedder", "RestoraEmbedder", "load_embedder"]

EMBED_WEIGHTS = catalogue.shipped("face.embed").path
"""The shipped weights of restora's embedding network (``config.json``, ``model.safetensors``,
``threshold.json``, ``MODEL_CARD.md``)."""


class Embedder(Protocol):
    name: str
    threshold: float

    def embed(self, image: torch.Tensor, faces: list[Face]) -> np.ndarray: ...


class RestoraEmbedder:
    """restora's network on aligned gray crops (size and zoom from training; faces need
    landmarks, i.e. MTCNN's)."""

    name = "restora_triplet"

    def __init__(self, folder: str | Path | None = None) -> None:
        # The shipped weights come through the catalogue (files and sha256 checked); another
        # folder (a checkpoint being evaluated) is taken as it is.
        folder = catalogue.checked_folder("face.embed") if folder is None else Path(folder)
        if not (folder / "model.safetensors").is_file():
            raise RestoraError(f"restora's face embedding weights are missing: {folder}")
        self.model = load_model(folder).eval()
        meta = json.loads((folder / "threshold.json").read_text(encoding="utf-8"))
        self.threshold = float(meta["threshold"])
        self.zoom = float(meta.get("zoom", 0.85))
        self.size = int(self.model.config["size"])

    @torch.inference_mode()
    def embed(self, image: torch.Tensor, faces: list[Face]) -> np.ndarray:
        if not faces:
            return np.zeros((0, self.model.config["dim"]))
        x = image.expand(1, 3, *image.shape[-2:]).float()
        crops = []
        for face in faces:
            if face.landmarks is None:
                raise RestoraError("restora's embedder needs landmarks: detect with MTCNN")
            crops.append(face_crop_gray(x, face.landmark_array(), self.size, self.zoom))
        return self.model(torch.cat(crops)).double().numpy()


@functools.lru_cache(maxsize=4)
def load_embedder(kind: Literal["auto", "dlib", "restora"] = "auto") -> Embedder:
    """``"dlib"`` (needs restora[faces]), ``"restora"``, or ``"auto"``: dlib when installed
    (the more accurate, see ``benchmarks/results/faces_verify.md``), else restora's."""
    from restora.models.face.dlib_peers import DlibEmbedder, dlib_available

    if kind == "dlib" or (kind == "auto" and dlib_available()):
        return DlibEmbedder()
    if kind in ("restora", "auto"):
        return RestoraEmbedder()
    raise ValueError(f"embedder must be auto, dlib or restora, got {kind!r}")
