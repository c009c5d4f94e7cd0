"""Fill holes in a frontal face from its mirrored side: an eye under a scratch from the other eye.

An inpainter fills a hole from what lies around it. Across an eye, a nostril or a lip corner that
is a smear: nothing around a hole that covers an iris says there was an iris. A face seen from
the front has the missing structure at its mirror image across the line from the middle of the
eyes to the middle of the mouth (:mod:`restora.ops.face_mirror`). :func:`mirror_fill` takes, for
each hole pixel of the face's core whose mirror image is known, the photo there, moved to this
side's light: ``F(m(p)) + G(F)(p) - G(F)(m(p))``, ``F`` the filled photo and ``G`` a Gaussian of
``sigma`` eye distances over the known pixels only (the structure finer than that comes from the twin, the shading from this
side). Only deep inside a hole (:data:`DEEP`): near known pixels, and across a thin crack, an
inpainter's fill is better than any twin, whose light and place are never exact (on crack
networks over faces, mirroring every hole pixel lowered the hole PSNR by 0.2 dB). The mirror
image may be off by a few pixels (landmarks are not exact): the shift within
``shift`` eye distances that best predicts the known pixels around the holes is used.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from restora.ops.face_mirror import face_axis

__all__ = ["feature_weight", "mirror_fill"]

_RING = 3  # px of known photo around the holes that choose the shift
DEEP = (2.0, 5.0)  # px from the nearest known pixel where the mirror starts / takes over
EYE = (0.45, 0.3)  # semi-axes of the region around each eye, in eye distances
MOUTH = (0.2, 0.25)  # beyond the mouth corners, and up/down from their middle
_FEATHER = 0.05  # eye distances over which a region fades out


def _shading(photo: np.ndarray, known: np.ndarray, sigma: float) -> np.ndarray:
    """The photo's Gaussian blur from its known pixels only (normalized convolution), so an
    inpainter's smear does not set the light; the plain blur where nothing known is near."""
    weight = cv2.GaussianBlur(known, (0, 0), sigma)[..., None]
    mean = cv2.GaussianBlur(photo * known[..., None], (0, 0), sigma) / np.maximum(weight, 1e-6)
    plain = cv2.GaussianBlur(photo, (0, 0), sigma)
    return np.where(weight > 0.05, mean, plain).astype(np.float32)


def _twins(
    todo: np.ndarray,
    ring: np.ndarray,
    hole: np.ndarray,
    guess: np.ndarray,
    blur: np.ndarray,
    photo: np.ndarray,
    there: np.ndarray,
) -> np.ndarray:
    """The pieces of ``todo`` whose mirror image is their twin: around each piece, the mirrored
    guess predicts the known photo at least as well as the photo's own blur does. A hand over
    one eye, a turned-away cheek or a lock of hair have no twin: there the mirror would paint
    the other side's eye onto them."""
    count, labels = cv2.connectedComponents(todo.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    grow = np.ones((2 * _RING + 1,) * 2, np.uint8)
    for j in range(1, count):
        piece = labels == j
        around = (cv2.dilate(piece.astype(np.uint8), grow) > 0) & ring & ~hole & (there > 0.99)
        if around.sum() < 4:
            keep[j] = True  # too little around it to judge: a speck
            continue
        mirror_error = np.abs(guess[around] - photo[around]).mean()
        plain_error = np.abs(blur[around] - photo[around]).mean()
        keep[j] = mirror_error <= plain_error
    return keep[labels]


def feature_weight(landmarks: Sequence[Sequence[float]], height: int, width: int) -> np.ndarray:
    """Where a mirrored fill is used, float32 ``(H, W)`` in [0, 1]: ellipses around the eyes
    (:data:`EYE`) and the mouth (:data:`MOUTH`), faded at their edges. Not the nose, whose two
    sides a side light makes unlike, nor the cheeks, where a plain fill is as good."""
    points = np.asarray(landmarks, np.float64)
    _, direction, eyes = face_axis(landmarks)
    angle = float(np.degrees(np.arctan2(direction[0], -direction[1])))  # the face's roll
    weight = np.zeros((height, width), np.float32)
    mouth = (points[3] + points[4]) / 2
    half_mouth = float(np.hypot(*(points[4] - points[3]))) / 2
    for center, (ax, ay) in (
        (points[0], (EYE[0] * eyes, EYE[1] * eyes)),
        (points[1], (EYE[0] * eyes, EYE[1] * eyes)),
        (mouth, (half_mouth + MOUTH[0] * eyes, MOUTH[1] * eyes)),
    ):
        cv2.ellipse(
            weight,
            (round(center[0]), round(center[1])),
            (max(1, round(ax)), max(1, round(ay))),
            -angle,
            0,
            360,
            1.0,
            -1,
        )
    return cv2.GaussianBlur(weight, (0, 0), max(_FEATHER * eyes, 0.5))


def mirror_fill(
    filled: np.ndarray,
    hole: np.ndarray,
    landmarks: Sequence[Sequence[float]],
    weight: np.ndarray,
    *,
    sigma: float = 0.25,
    shift: float = 0.1,
) -> tuple[np.ndarray, int]:
    """``filled`` (float32 ``(H, W, 3)`` in [0, 1], holes already filled by an inpainter) with
    the hole pixels (bool ``(H, W)``) where ``weight`` (float ``(H, W)`` in [0, 1], e.g.
    :func:`feature_weight`) is positive blended towards their mirror image across the face's
    axis (module doc) by that weight, where the image is known; and how many pixels changed.
    ``landmarks``: the face's five ``(x, y)`` points. Only hole pixels change; the caller
    checks the face is frontal.

    >>> img = np.zeros((80, 80, 3), np.float32)
    >>> img[32:48, 12:28] = img[32:48, 52:68] = 1                      # two bright "eyes"
    >>> marks = ((20, 40), (60, 40), (40, 52), (28, 64), (52, 64))
    >>> hole = np.zeros((80, 80), bool); hole[34:46, 54:66] = True      # the right eye's middle
    >>> img[hole] = 0                                                   # ... smeared dark
    >>> out, n = mirror_fill(img, hole, marks, np.ones((80, 80), np.float32))
    >>> n, bool(out[38:42, 58:62].mean() > 0.9)                         # deep inside: the twin
    (64, True)
    """
    if filled.ndim != 3 or filled.shape[2] != 3 or hole.shape != filled.shape[:2]:
        raise ValueError(
            f"filled (H, W, 3) and hole (H, W) expected, got {filled.shape}, {hole.shape}"
        )
    if weight.shape != hole.shape:
        raise ValueError(f"weight {weight.shape} must match hole {hole.shape}")
    height, width = hole.shape
    todo = hole & (weight > 0.01)
    if not todo.any():
        return filled, 0
    top, direction, eyes = face_axis(landmarks)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    along = (xs - top[0]) * direction[0] + (ys - top[1]) * direction[1]
    mx = (2 * (top[0] + along * direction[0]) - xs).astype(np.float32)
    my = (2 * (top[1] + along * direction[1]) - ys).astype(np.float32)
    photo = np.ascontiguousarray(filled, np.float32)
    known = (~hole).astype(np.float32)
    spread = max(sigma * eyes, 1.0)
    blur = cv2.GaussianBlur(photo, (0, 0), spread)
    ring = (cv2.dilate(todo.astype(np.uint8), np.ones((2 * _RING + 1,) * 2, np.uint8)) > 0) & ~hole

    def at(a: np.ndarray, dx: int, dy: int) -> np.ndarray:
        return cv2.remap(
            a, mx + dx, my + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=-1
        )

    steps = max(0, round(shift * eyes))
    best, best_error = (0, 0), np.inf
    if ring.any():  # the unshifted mirror first: another shift must do clearly better
        shifts = [(0, 0)] + [
            (dx, dy)
            for dy in range(-steps, steps + 1)
            for dx in range(-steps, steps + 1)
            if (dx, dy) != (0, 0)
        ]
        for dx, dy in shifts:
            there = at(known, dx, dy)
            usable = ring & (there > 0.99)
            if usable.sum() < 0.5 * ring.sum():
                continue
            guess = at(photo, dx, dy)[usable] + blur[usable] - at(blur, dx, dy)[usable]
            error = float(np.abs(guess - photo[usable]).mean())
            if error < 0.9 * best_error:
                best, best_error = (dx, dy), error
    twin, there = at(photo, *best), at(known, *best)
    # the light of each side from the pixels known on both, so a smear sets neither
    both = known * (there > 0.99)
    own = _shading(photo, both, spread)
    guess = twin + own - _shading(twin, both, spread)
    take = todo & (there > 0.99) & _twins(todo, ring, hole, guess, own, photo, there)
    depth = cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 3)
    deep = np.clip((depth - DEEP[0]) / (DEEP[1] - DEEP[0]), 0.0, 1.0)
    take &= deep > 0
    out = photo.copy()
    share = (weight * deep)[take][:, None]
    out[take] = (1 - share) * photo[take] + share * np.clip(guess[take], 0.0, 1.0)
    return out, int(take.sum())
