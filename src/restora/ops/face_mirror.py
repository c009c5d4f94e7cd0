"""Mirror evidence on a face: does a mark have a counterpart on the other side of the face?

A face is close to mirror-symmetric about the line from the middle of the eyes to the middle of
the mouth. Its own features - eyes, brows, nostrils, the folds beside the nose, the corners of
the lips - come in mirrored pairs or lie on that line; a scratch, a speck of dust or a crack
fragment does not: where it lies, the other side of the face is plain skin. The
:func:`mirror_asymmetry` of a candidate mark compares the photo's fine detail (luma minus a
Gaussian blur) under the mark with the detail at its mirror image, allowing the mirror image to
move a little (the landmarks and the face are not exact):

* about 0 where the mark has a mirrored twin (an eye corner, a nostril) or straddles the line,
* about 1 where the other side is plain,
* above 1 where the other side is brighter where the mark is darker, or the reverse.

It is only meaningful on a face seen from the front (:func:`frontal`); a turned face puts
different things at mirrored places. And only on the inner face (:func:`on_cheeks`): near the
axis a mark is nearly its own mirror image (the nose, the philtrum), and towards the face's
outline the two sides differ in any photo (the jaw and cheek contours, hair, ears).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

__all__ = [
    "MIRROR_SCALE",
    "cheek_span",
    "face_axis",
    "frontal",
    "lighter_than_around",
    "mirror_asymmetry",
    "on_cheeks",
    "yaw",
]

MIRROR_SCALE = 48.0
"""The eye distance (px) the comparison works at: larger faces are measured on an
area-downscaled copy, so above this size the detail scale and the allowed shift are the same at
every size; smaller faces are measured as they are."""
_DETAIL_SIGMA = 3.0  # px at MIRROR_SCALE: what "fine detail" means (marks are 1-6 px wide)
_SHIFT = 0.1  # of the eye distance: how far the mirror image may move to find its twin
_MIN_DETAIL = 0.02  # mean |detail| under a mark below this: too faint to judge (score 0)
_MAX_POINTS = 4000  # pixels of a mark sampled at most


def face_axis(landmarks: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray, float]:
    """(a point on the axis, the axis's unit direction, the eye distance) from five landmarks
    (left eye, right eye, nose, left and right mouth corner; ``(x, y)``)."""
    points = np.asarray(landmarks, np.float64)
    if points.shape != (5, 2):
        raise ValueError(f"landmarks must be 5 (x, y) points, got shape {points.shape}")
    top = (points[0] + points[1]) / 2
    direction = (points[3] + points[4]) / 2 - top
    length = float(np.hypot(*direction))
    if length < 1e-6:
        raise ValueError("landmarks: the mouth and the eyes are at the same place")
    eyes = float(np.hypot(*(points[1] - points[0])))
    return top, direction / length, max(eyes, 1.0)


def yaw(landmarks: Sequence[Sequence[float]]) -> float:
    """How far the nose sits off the eye-mouth axis, in eye distances (signed): about 0 for a
    face seen from the front, 0.3 and more for a face turned by ~30 degrees."""
    top, direction, eyes = face_axis(landmarks)
    normal = np.array([direction[1], -direction[0]])
    return float((np.asarray(landmarks[2], np.float64) - top) @ normal / eyes)


def frontal(landmarks: Sequence[Sequence[float]], limit: float = 0.15) -> bool:
    """Whether the face is near enough to frontal for mirror evidence (``|yaw| <= limit``)."""
    return abs(yaw(landmarks)) <= limit


def lighter_than_around(luma: np.ndarray, mark: tuple[np.ndarray, np.ndarray]) -> bool:
    """Whether a mark (its pixels' ``(rows, columns)``) is lighter on average than the ring of
    pixels 1-3 px around it: a white speck, not a mole or a freckle."""
    ys, xs = (np.asarray(a) for a in mark)
    if ys.size == 0:
        return False
    height, width = luma.shape
    y0, y1 = max(0, int(ys.min()) - 3), min(height, int(ys.max()) + 4)
    x0, x1 = max(0, int(xs.min()) - 3), min(width, int(xs.max()) + 4)
    inside = np.zeros((y1 - y0, x1 - x0), np.uint8)
    inside[ys - y0, xs - x0] = 1
    ring = cv2.dilate(inside, np.ones((7, 7), np.uint8)) > inside
    patch = luma[y0:y1, x0:x1]
    return bool(ring.any() and patch[inside > 0].mean() > patch[ring].mean())


def cheek_span(
    mark: tuple[np.ndarray, np.ndarray], landmarks: Sequence[Sequence[float]]
) -> tuple[float, float, float]:
    """Where a mark (its pixels' ``(rows, columns)``, at least one) lies on the face, in eye
    distances: ``(nearest, farthest, extent)`` - its pixels' nearest and farthest distance from
    the axis and its longest extent across or along the face."""
    top, direction, eyes = face_axis(landmarks)
    ys, xs = (np.asarray(a, np.float64) for a in mark)
    if ys.size == 0:
        raise ValueError("the mark has no pixels")
    points = np.stack([xs, ys], 1) - top
    across = np.abs(points @ np.array([direction[1], -direction[0]])) / eyes
    along = points @ direction / eyes
    extent = max(float(np.ptp(across)), float(np.ptp(along)))
    return float(across.min()), float(across.max()), extent


def on_cheeks(
    mark: tuple[np.ndarray, np.ndarray],
    landmarks: Sequence[Sequence[float]],
    *,
    inner: float = 0.12,
    outer: float = 0.85,
    longest: float = 0.6,
) -> bool:
    """Whether a mark (its pixels' ``(rows, columns)``) lies where mirror evidence holds
    (:func:`cheek_span`): every pixel between ``inner`` and ``outer`` eye distances from the
    axis, and the mark no longer than ``longest`` eye distances (dust, a crack fragment; longer
    marks are judged by their length). An empty mark does not."""
    if np.asarray(mark[0]).size == 0:
        return False
    nearest, farthest, extent = cheek_span(mark, landmarks)
    return nearest >= inner and farthest <= outer and extent <= longest


def mirror_asymmetry(
    luma: np.ndarray,
    mark: np.ndarray | tuple[np.ndarray, np.ndarray],
    landmarks: Sequence[Sequence[float]],
) -> float:
    """How little the detail under ``mark`` is repeated at its mirror image across the face's
    axis: ``min over small shifts of mean|d(p) - d(mirror(p))| / mean|d(p)|`` (see the module
    doc), >= 0.

    Args:
        luma: float ``(H, W)`` in [0, 1], the photo's luminance.
        mark: the candidate mark's pixels: bool ``(H, W)``, or their ``(rows, columns)`` as
            :func:`numpy.nonzero` gives them.
        landmarks: the face's five ``(x, y)`` landmarks in ``luma``'s pixels.

    Returns 0 for an empty mark or one too faint to judge.
    """
    if luma.ndim != 2:
        raise ValueError(f"luma must be (H, W), got {luma.shape}")
    if isinstance(mark, np.ndarray):
        if mark.shape != luma.shape:
            raise ValueError(f"mark {mark.shape} must match luma {luma.shape}")
        mark = np.nonzero(mark)
    top, direction, eyes = face_axis(landmarks)
    ys, xs = (np.asarray(a) for a in mark)
    if ys.size == 0:
        return 0.0
    if ys.size > _MAX_POINTS:
        keep = np.linspace(0, ys.size - 1, _MAX_POINTS).astype(np.int64)
        ys, xs = ys[keep], xs[keep]
    points = np.stack([xs, ys], 1).astype(np.float64)
    along = (points - top) @ direction
    mirrored = 2 * (top + along[:, None] * direction) - points
    factor = min(1.0, MIRROR_SCALE / eyes)
    shift = max(1, round(_SHIFT * eyes * factor))
    margin = (shift + 4 * _DETAIL_SIGMA) / factor + 2
    both = np.concatenate([points, mirrored])
    height, width = luma.shape
    x0 = int(max(0, np.floor(both[:, 0].min() - margin)))
    x1 = int(min(width, np.ceil(both[:, 0].max() + margin) + 1))
    y0 = int(max(0, np.floor(both[:, 1].min() - margin)))
    y1 = int(min(height, np.ceil(both[:, 1].max() + margin) + 1))
    crop = np.ascontiguousarray(luma[y0:y1, x0:x1], np.float32)
    if factor < 1.0:
        size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    detail = crop - cv2.GaussianBlur(crop, (0, 0), _DETAIL_SIGMA)
    rows, cols = detail.shape

    def sample(xy: np.ndarray, dx: int = 0, dy: int = 0) -> np.ndarray:
        c = np.clip(np.round((xy[:, 0] - x0) * factor).astype(np.int64) + dx, 0, cols - 1)
        r = np.clip(np.round((xy[:, 1] - y0) * factor).astype(np.int64) + dy, 0, rows - 1)
        return detail[r, c]

    own = sample(points)
    strength = float(np.abs(own).mean())
    if strength < _MIN_DETAIL:
        return 0.0
    best = min(
        float(np.abs(own - sample(mirrored, dx, dy)).mean())
        for dy in range(-shift, shift + 1)
        for dx in range(-shift, shift + 1)
    )
    return best / strength
