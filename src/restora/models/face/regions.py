"""Where a face needs care when repairing damage: its box and its eye-nose-mouth core."""

from __future__ import annotations

import numpy as np

from restora.models.face.face import Face
from restora.ops.damage_components import FaceRegion

__all__ = ["HEAD", "face_region"]

HEAD = (0.2, 0.3, 0.1)
"""How far the head reaches beyond a detector's face box: (each side, above, below) as
fractions of the box's width, height and height."""


def face_region(face: Face, height: int, width: int) -> FaceRegion:
    """The :class:`~restora.ops.damage_components.FaceRegion` of ``face`` in an image of
    ``height x width`` pixels (boxes ``(y0, y1, x0, x1)``, clipped, end-exclusive).

    The box is the head, not the detector's tight face box: grown by :data:`HEAD` (a fifth of
    its width on each side for ears and hair, 30 % of its height above for the hair, 10 % below
    for the chin), so hair and ears get the face's rules too. The landmarks come along (the
    damage stage's mirror evidence uses them).

    The core spans the eyes (with the brows: 0.5 eye distances above the eye line), the nose
    and the mouth (0.35 eye distances below its corners), 0.4 eye distances beyond the outer
    landmarks on each side. Without landmarks (dlib's detectors) it is the box's middle: 15-85 %
    across, 20-90 % down.

    >>> f = Face(box=(100, 100, 200, 220), landmarks=((130, 150), (170, 150), (150, 175),
    ...                                                (135, 195), (165, 195)))
    >>> r = face_region(f, 400, 400)
    >>> r.box, r.core, r.landmarks == f.landmarks
    ((64, 232, 80, 220), (130, 209, 114, 186), True)
    """
    x0, y0, x1, y1 = face.box
    w, h = x1 - x0, y1 - y0

    def clip(top: float, bottom: float, left: float, right: float) -> tuple[int, int, int, int]:
        return (
            max(0, int(np.floor(top))),
            min(height, int(np.ceil(bottom))),
            max(0, int(np.floor(left))),
            min(width, int(np.ceil(right))),
        )

    side, above, below = HEAD
    box = clip(y0 - above * h, y1 + below * h, x0 - side * w, x1 + side * w)
    if face.landmarks is None:
        return FaceRegion(box, clip(y0 + 0.2 * h, y0 + 0.9 * h, x0 + 0.15 * w, x0 + 0.85 * w))
    points = face.landmark_array()
    eyes = points[:2]
    d = max(float(np.hypot(*(eyes[1] - eyes[0]))), 1.0)
    top = float(eyes[:, 1].min()) - 0.5 * d
    bottom = float(points[3:, 1].max()) + 0.35 * d
    left = float(points[:, 0].min()) - 0.4 * d
    right = float(points[:, 0].max()) + 0.4 * d
    return FaceRegion(box, clip(top, bottom, left, right), face.landmarks)
