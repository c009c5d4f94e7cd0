"""``Face``: one detected face (box, score, five landmarks), immutable and JSON-friendly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["LANDMARK_NAMES", "Face"]

LANDMARK_NAMES = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")
"""Order of :attr:`Face.landmarks`; "left" is the image's left (the person's right eye)."""


@dataclass(frozen=True)
class Face:
    """A face in image pixel coordinates (x right, y down, origin at the top-left corner).

    - ``box``: ``(x0, y0, x1, y1)``, floats; the face spans ``x1 - x0`` by ``y1 - y0`` pixels.
    - ``score``: detector confidence in [0, 1] (1.0 for labels).
    - ``landmarks``: five ``(x, y)`` points in :data:`LANDMARK_NAMES` order, or ``None`` when
      the detector gives none (dlib's HOG / MMOD detectors).

    >>> f = Face(box=(10, 20, 50, 70), score=0.99)
    >>> f.width, f.height, f.size
    (40.0, 50.0, 50.0)
    """

    box: tuple[float, float, float, float]
    score: float = 1.0
    landmarks: tuple[tuple[float, float], ...] | None = None

    def __post_init__(self) -> None:
        box = tuple(float(v) for v in self.box)
        if len(box) != 4 or not all(np.isfinite(box)):
            raise ValueError(f"box must be 4 finite numbers (x0, y0, x1, y1), got {self.box!r}")
        if box[2] < box[0] or box[3] < box[1]:
            raise ValueError(f"box must have x1 >= x0 and y1 >= y0, got {box}")
        object.__setattr__(self, "box", box)
        object.__setattr__(self, "score", float(self.score))
        if self.landmarks is not None:
            points = tuple((float(x), float(y)) for x, y in self.landmarks)
            if len(points) != 5:
                raise ValueError(f"landmarks must be 5 (x, y) points, got {len(points)}")
            object.__setattr__(self, "landmarks", points)

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def size(self) -> float:
        """The longer side of the box in pixels (the "face size" of detector settings)."""
        return max(self.width, self.height)

    def landmark_array(self) -> np.ndarray:
        """Landmarks as a (5, 2) float64 array; raises ``ValueError`` when there are none."""
        if self.landmarks is None:
            raise ValueError("this face has no landmarks")
        return np.asarray(self.landmarks, np.float64)

    def scaled(self, factor: float) -> Face:
        """The same face in an image resized by ``factor`` (coordinates multiplied)."""
        lm = (
            None
            if self.landmarks is None
            else tuple((x * factor, y * factor) for x, y in self.landmarks)
        )
        return Face(box=tuple(v * factor for v in self.box), score=self.score, landmarks=lm)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """``{"box": [...], "score": s, "landmarks": [[x, y], ...] | None}`` (rounded to 0.01 px)."""
        return {
            "box": [round(v, 2) for v in self.box],
            "score": round(self.score, 5),
            "landmarks": None
            if self.landmarks is None
            else [[round(x, 2), round(y, 2)] for x, y in self.landmarks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Face:
        """Inverse of :meth:`to_dict` (``score`` defaults to 1, ``landmarks`` to None)."""
        return cls(
            box=tuple(data["box"]), score=data.get("score", 1.0), landmarks=data.get("landmarks")
        )
