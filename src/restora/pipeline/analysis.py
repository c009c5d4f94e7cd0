"""What the pipeline knows about a photo: tone, noise level, size and faces, each computed the
first time a stage asks for it and then kept.

Every fact describes the photo as it entered the pipeline (``Restoration.input_image``), so it
does not depend on which stages ran before: a stage run alone gets the same answer as after
``analyze``. A new fact is one more ``cached_property`` here; stages that do not ask for it
never pay for it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import torch

from restora.io import detect_tone
from restora.models.face.detectors import default_detector, find_faces
from restora.models.face.face import Face
from restora.ops.noise import estimate_noise_sigma

__all__ = ["Analysis", "sample_crops"]

_SAMPLE = 512  # edge of the crops the noise level is estimated on
_TONE_SIDE = 1024  # the tone is read from a copy subsampled to about this long side


def sample_crops(image: torch.Tensor, size: int = _SAMPLE, count: int = 4) -> list[torch.Tensor]:
    """Up to ``count`` full-resolution crops ``(1, 3, <=size, <=size)`` spread over the image
    (corners), for cheap statistics; the whole image when it is no larger than ``size``."""
    _, _, h, w = image.shape
    if h <= size and w <= size:
        return [image]
    ys = torch.linspace(0, max(h - size, 0), 2).long().tolist()
    xs = torch.linspace(0, max(w - size, 0), 2).long().tolist()
    crops = [image[..., y : y + size, x : x + size] for y in ys for x in xs]
    return crops[:count]


class Analysis:
    """Lazily computed facts about one photo ``(1, 3, H, W)`` float32 in [0, 1].

    >>> analysis = Analysis(torch.full((1, 3, 8, 8), 0.5))
    >>> analysis.computed()
    {}
    >>> analysis.tone, analysis.size
    ('monochrome', (8, 8))
    >>> sorted(analysis.computed())
    ['tone']
    """

    FACTS = ("tone", "noise_sigma", "faces")

    def __init__(self, image: torch.Tensor) -> None:
        self._image = image

    @property
    def size(self) -> tuple[int, int]:
        """``(height, width)`` in pixels."""
        return int(self._image.shape[-2]), int(self._image.shape[-1])

    @cached_property
    def tone(self) -> str:
        """ "color", "monochrome", "sepia" or "cyanotype" (see :func:`restora.io.detect_tone`)."""
        step = max(1, max(self.size) // _TONE_SIDE)
        return detect_tone(self._image[..., ::step, ::step])

    @property
    def monochrome(self) -> bool:
        """True for monochrome photos, toned (sepia, cyanotype) or not."""
        return self.tone != "color"

    @cached_property
    def noise_sigma(self) -> float:
        """Estimated Gaussian noise level in 0..255 units: the median over a few full-resolution
        crops of :func:`restora.ops.noise.estimate_noise_sigma`."""
        sigmas = [float(estimate_noise_sigma(c)[0]) for c in sample_crops(self._image)]
        return float(torch.tensor(sigmas).median()) * 255.0

    @cached_property
    def faces(self) -> list[Face] | None:
        """Faces in the photo, best first (:func:`restora.models.face.detectors.find_faces` with
        :func:`~restora.models.face.detectors.default_detector`: restora's MTCNN with
        landmarks, or dlib's HOG detector); None when no face detector is available (nothing
        was looked for)."""
        method = default_detector()
        if method is None:
            return None
        return find_faces(self._image, method=method)

    @property
    def face_detector(self) -> str | None:
        """The detector :attr:`faces` uses ("mtcnn", "hog") or None."""
        return default_detector()

    def computed(self) -> dict[str, Any]:
        """The facts computed so far (nothing is computed by asking)."""
        return {name: self.__dict__[name] for name in self.FACTS if name in self.__dict__}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the size and the facts computed so far."""
        h, w = self.size
        facts = self.computed()
        if "noise_sigma" in facts:
            facts["noise_sigma"] = round(facts["noise_sigma"], 3)
        if facts.get("faces") is not None:
            facts["faces"] = [face.to_dict() for face in facts["faces"]]
        return {"size": [w, h], **facts}
