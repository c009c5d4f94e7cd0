"""What a candidate mark over a face looks like, as numbers: the features a learned second look
(:class:`restora.models.face.mark_verifier.TreeEnsemble`) judges a piece of damage by when the
face rules of :mod:`restora.ops.damage_components` leave it.

The detector's probability alone does not tell dust on a forehead from the corner of an eye:
both reach 0.7-0.9. What does is context - how the mark stands out from the skin around it
(darker or lighter, by how many of the ring's own deviations), how busy that skin is (hair and
eyelids are, a cheek is not), where the mark lies relative to the eyes, nose and mouth - and
the mark itself: whether the face repeats it across its axis, how sharp, grey and even it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from restora.ops.face_mirror import face_axis, mirror_asymmetry

__all__ = ["MARK_FEATURES", "SkinReference", "mark_features", "skin_reference"]

MARK_FEATURES = (
    "evidence",
    "contrast",
    "lightness",
    "ring_spread",
    "ring_gradient",
    "length",
    "thickness",
    "area",
    "landmark_distance",
    "down",
    "across",
    "is_line",
    "in_core",
    "skin_gap",
    "chroma_gap",
    "asymmetry",
    "edge_gradient",
    "grayness",
    "flatness",
)
"""The order of :func:`mark_features`' values:

* ``evidence``: the detector's mean probability over the piece, in [0, 1];
* ``contrast``: (mean luma of the piece - median of the ring around it) / the ring's robust
  spread (1.4826 x its median absolute deviation + 0.001), signed (negative: darker);
* ``lightness``: the same difference in luma, unscaled;
* ``ring_spread``: that robust spread of the ring's luma;
* ``ring_gradient``: the ring's mean Sobel gradient magnitude of luma, times ``scale``;
* ``length``, ``thickness``: px at a 512 px short side (``/ scale``); ``area``: px / scale^2;
* ``landmark_distance``: from the piece's centre to the nearest of the five landmarks;
* ``down``: along the face's axis from the eyes' midpoint towards the mouth; ``across``: the
  distance from the axis (both in eye distances);
* ``is_line``, ``in_core``: 1 for a ``line`` piece / a piece in the face's eye-nose-mouth core;
* ``skin_gap``: (the ring's median luma - the face's skin luma) / (the skin's robust spread +
  0.02), where the skin is sampled on both cheeks, under the eyes (:func:`skin_reference`):
  near 0 for a mark on skin, large for one on hair, a collar or the background;
* ``chroma_gap``: the distance between the ring's and the skin's mean chroma (``B - Y``,
  ``R - Y``); about 0 on monochrome photos;
* ``asymmetry``: :func:`restora.ops.face_mirror.mirror_asymmetry` of the piece (how little its
  detail is repeated across the face's axis: eye corners, nostrils and brows are, dust is not;
  0 when too faint to judge);
* ``edge_gradient``: the mean Sobel gradient magnitude of luma on the piece's own pixels and the
  pixel around them, times ``scale``, over ``|lightness| + 0.02`` (a scratch's or a speck's
  edge is sharp for its contrast, a shadow's or a fold of skin's is soft);
* ``grayness``: the ring's mean chroma length minus the piece's (positive: the mark is greyer
  than the skin around it, as white and black scratches on a colour photo are; a mole or a
  lip is not);
* ``flatness``: the piece's robust luma spread over ``|lightness| + 0.02`` (a speck is even, an
  eye or a tuft of hair is not).
"""

_CHEEK = 0.15  # eye distances: the radius of each cheek sample of the skin
_RING = 5.0  # px at a 512 px short side: the ring of skin a mark is compared with
_GAP = 1.0  # px kept between the ring and any candidate (their blurred edges)


SkinReference = tuple[float, float, np.ndarray]
"""A face's skin: median luma, robust spread of luma, mean chroma ``(2,)``."""


def skin_reference(
    luma: np.ndarray, chroma: np.ndarray, landmarks: Sequence[Sequence[float]]
) -> SkinReference:
    """The skin of the face with these landmarks, sampled in two discs (radius 0.15 eye
    distances) on the cheeks, halfway from each eye to the mouth corner below it.

    Args:
        luma: ``(H, W)`` in [0, 1]; chroma: ``(H, W, 2)`` (``B - Y``, ``R - Y``).
    """
    points = np.asarray(landmarks, np.float64)
    _, _, eyes = face_axis(points)
    height, width = luma.shape
    radius = max(1, int(round(_CHEEK * eyes)))
    ys, xs = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    disc = ys**2 + xs**2 <= radius**2
    samples_l, samples_c = [], []
    for eye, corner in ((points[0], points[3]), (points[1], points[4])):
        cx, cy = np.rint((eye + corner) / 2).astype(int)
        yy, xx = ys[disc] + cy, xs[disc] + cx
        keep = (yy >= 0) & (yy < height) & (xx >= 0) & (xx < width)
        samples_l.append(luma[yy[keep], xx[keep]])
        samples_c.append(chroma[yy[keep], xx[keep]])
    skin = np.concatenate(samples_l)
    if skin.size == 0:
        raise ValueError("landmarks: the cheeks are outside the photo")
    median = float(np.median(skin))
    spread = 1.4826 * float(np.median(np.abs(skin - median)))
    return median, spread, np.concatenate(samples_c).mean(axis=0)


def mark_features(
    luma: np.ndarray,
    pieces: np.ndarray,
    index: int,
    box: tuple[int, int, int, int],
    *,
    evidence: float,
    length: float,
    thickness: float,
    area: int,
    is_line: bool,
    in_core: bool,
    landmarks: Sequence[Sequence[float]],
    scale: float,
    chroma: np.ndarray,
    skin: SkinReference,
) -> np.ndarray | None:
    """The :data:`MARK_FEATURES` of piece ``index`` of ``pieces``, float32 ``(19,)``.

    Args:
        luma: ``(H, W)`` float luminance in [0, 1].
        pieces: ``(H, W)`` int labels (0 = no candidate; every label counts as a candidate
            that the ring avoids).
        index: the piece's label; ``box``: its ``(y0, y1, x0, x1)``, end-exclusive.
        evidence, thickness, area, is_line, in_core: as the component classification has them
            (``thickness`` and ``area`` in px of this photo); ``length``: already at a 512 px
            short side.
        landmarks: the face's five ``(x, y)`` points (eyes, nose, mouth corners).
        scale: :func:`restora.ops.damage.damage_scale` of the photo.
        chroma: ``(H, W, 2)`` chroma of the photo; skin: the face's
            :func:`skin_reference`.

    Returns None when the ring has fewer than 5 pixels (a piece buried among others).
    """
    height, width = luma.shape
    radius = max(1, int(round(_RING * scale)))
    gap = max(1, int(round(_GAP * scale)))
    y0, y1, x0, x1 = box
    py0, py1 = max(0, y0 - radius - gap), min(height, y1 + radius + gap)
    px0, px1 = max(0, x0 - radius - gap), min(width, x1 + radius + gap)
    labels = pieces[py0:py1, px0:px1]
    inside = (labels == index).astype(np.uint8)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    near = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * gap + 1, 2 * gap + 1))
    ring = (cv2.dilate(inside, disc) > 0) & (cv2.dilate((labels > 0).astype(np.uint8), near) == 0)
    if ring.sum() < 5 or not inside.any():
        return None
    patch = luma[py0:py1, px0:px1].astype(np.float32)
    around = patch[ring]
    median = float(np.median(around))
    spread = 1.4826 * float(np.median(np.abs(around - median))) + 1e-3
    lightness = float(patch[inside > 0].mean()) - median
    gradient = np.hypot(
        cv2.Sobel(patch, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(patch, cv2.CV_32F, 0, 1, ksize=3)
    )
    top, direction, eyes = face_axis(landmarks)
    rows, cols = np.nonzero(inside)
    asymmetry = mirror_asymmetry(luma, (rows + py0, cols + px0), landmarks)
    grown = cv2.dilate(inside, np.ones((3, 3), np.uint8)) > 0
    edge = float(gradient[grown].mean()) * scale / (abs(lightness) + 0.02)
    mark = patch[inside > 0]
    flatness = 1.4826 * float(np.median(np.abs(mark - np.median(mark)))) / (abs(lightness) + 0.02)
    colour = chroma[py0:py1, px0:px1]
    grayness = float(np.hypot(*colour[ring].mean(axis=0))) - float(
        np.hypot(*colour[inside > 0].mean(axis=0))
    )
    centre = np.array([(x0 + x1) / 2.0, (y0 + y1) / 2.0])
    offset = centre - top
    points = np.asarray(landmarks, np.float64)
    return np.array(
        [
            evidence,
            lightness / spread,
            lightness,
            spread,
            float(gradient[ring].mean()) * scale,
            length,
            thickness / scale,
            area / scale**2,
            float(np.hypot(*(points - centre).T).min()) / eyes,
            float(offset @ direction) / eyes,
            abs(float(offset @ np.array([direction[1], -direction[0]]))) / eyes,
            float(is_line),
            float(in_core),
            (median - skin[0]) / (skin[1] + 0.02),
            float(np.hypot(*(colour[ring].mean(axis=0) - skin[2]))),
            asymmetry,
            edge,
            grayness,
            flatness,
        ],
        np.float32,
    )
