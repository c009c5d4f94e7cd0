"""Drawing primitives for synthetic damage: antialiased strokes, blobs and polygons as alpha
patches, smooth random profiles and paths, and a canvas that composites them.

Coordinates are (x, y) float pixel centres; an alpha patch is ``(alpha (h, w) float32 in [0, 1],
top, left)`` clipped to the image, or None when it falls outside. The canvas holds float32
``(H, W, 3)`` in [0, 1].
"""

from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = [
    "Canvas",
    "dash_pattern",
    "damage_colour",
    "render_blob",
    "render_polygon",
    "render_stroke",
    "smooth_noise",
    "taper",
    "wander_path",
]

_SHIFT = 4  # sub-pixel bits for cv2 drawing


def smooth_noise(rng: np.random.Generator, t: np.ndarray, waves: int = 4) -> np.ndarray:
    """A smooth random curve over ``t`` in [0, 1], values roughly in [-1, 1]."""
    out = np.zeros_like(t)
    for k in range(waves):
        freq = rng.uniform(0.5, 3.0) * (k + 1)
        out += np.sin(2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi)) / (k + 1)
    return out / 1.5


def taper(t: np.ndarray, fraction: float) -> np.ndarray:
    """1 in the middle, falling smoothly to 0 over ``fraction`` of the length at both ends."""
    edge = np.clip(np.minimum(t, 1 - t) / max(fraction, 1e-6), 0, 1)
    return edge * edge * (3 - 2 * edge)


def render_stroke(
    points: np.ndarray,
    width: float,
    opacity: np.ndarray,
    shape: tuple[int, int],
    widths: np.ndarray | None = None,
) -> tuple[np.ndarray, int, int] | None:
    """Antialiased coverage x opacity of a polyline; returns (alpha patch, top, left) or None.

    ``points`` is ``(N, 2)`` float (x, y) in pixel-centre coordinates, ``opacity`` ``(N,)``;
    ``widths`` ``(N,)`` optionally varies the width along the line (``width`` is then its
    maximum).
    """
    height, img_width = shape
    pad = width + 3
    left = max(int(math.floor(points[:, 0].min() - pad)), 0)
    top = max(int(math.floor(points[:, 1].min() - pad)), 0)
    right = min(int(math.ceil(points[:, 0].max() + pad)) + 1, img_width)
    bottom = min(int(math.ceil(points[:, 1].max() + pad)) + 1, height)
    if right <= left or bottom <= top:
        return None
    ss = 4 if width < 4 else 2
    canvas = np.zeros(((bottom - top) * ss, (right - left) * ss), np.float32)
    local = ((points - (left, top)) + 0.5) * ss - 0.5
    fixed = np.rint(local * (1 << _SHIFT)).astype(np.int64)
    thickness = max(1, int(round(width * ss)))
    for i in range(len(fixed) - 1):
        value = float(0.5 * (opacity[i] + opacity[i + 1]))
        if value <= 0:
            continue
        if widths is not None:
            thickness = max(1, int(round(0.5 * (widths[i] + widths[i + 1]) * ss)))
        p0 = (int(fixed[i, 0]), int(fixed[i, 1]))
        p1 = (int(fixed[i + 1, 0]), int(fixed[i + 1, 1]))
        cv2.line(canvas, p0, p1, value, thickness, cv2.LINE_8, _SHIFT)
    # A slight blur gives scratches the soft profile of a groove instead of a hard rectangle.
    canvas = cv2.GaussianBlur(canvas, (0, 0), sigmaX=0.35 * ss)
    alpha = cv2.resize(canvas, (right - left, bottom - top), interpolation=cv2.INTER_AREA)
    return np.clip(alpha, 0, 1), top, left


def dash_pattern(
    points: np.ndarray,
    rng: np.random.Generator,
    dash: tuple[float, float],
    gap: tuple[float, float],
) -> np.ndarray:
    """``(N,)`` in {0, 1}: a line along ``points`` ``(N, 2)`` broken into dashes (lengths
    uniform in ``dash`` px) and gaps (in ``gap`` px), starting at a random phase: multiply a
    stroke's opacity by it for a scratch or crack that survives only in pieces.

    >>> pts = np.stack([np.arange(100.0), np.zeros(100)], 1)
    >>> on = dash_pattern(pts, np.random.default_rng(0), (5, 10), (3, 6))
    >>> 0.4 < float(on.mean()) < 0.9
    True
    """
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])
    on = np.zeros(len(points), np.float32)
    position = -rng.uniform(0, dash[1] + gap[1])
    while position < arc[-1]:
        length = rng.uniform(*dash)
        on[(arc >= position) & (arc < position + length)] = 1.0
        position += length + rng.uniform(*gap)
    return on


def render_blob(
    center: np.ndarray,
    diameter: float,
    opacity: float,
    rng: np.random.Generator,
    shape: tuple[int, int],
) -> tuple[np.ndarray, int, int] | None:
    """Antialiased irregular blob (dust speck); returns (alpha patch, top, left) or None."""
    corners = int(rng.integers(6, 11))
    angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
    radii = 0.5 * diameter * rng.uniform(0.7, 1.3, corners)
    stretch = rng.uniform(0.7, 1.0)
    points = np.stack(
        [center[0] + radii * np.cos(angles), center[1] + stretch * radii * np.sin(angles)], 1
    )
    return render_polygon(points, float(opacity), shape)


def render_polygon(
    points: np.ndarray, opacity: float, shape: tuple[int, int], ss: int = 4, blur: float = 0.3
) -> tuple[np.ndarray, int, int] | None:
    """Antialiased filled polygon ``(N, 2)`` (x, y) x opacity, clipped to the image; returns
    (alpha patch, top, left) or None. ``blur`` is a Gaussian sigma in output pixels."""
    height, width = shape
    pad = 3
    left = max(int(math.floor(points[:, 0].min() - pad)), 0)
    top = max(int(math.floor(points[:, 1].min() - pad)), 0)
    right = min(int(math.ceil(points[:, 0].max() + pad)) + 1, width)
    bottom = min(int(math.ceil(points[:, 1].max() + pad)) + 1, height)
    if right <= left or bottom <= top:
        return None
    canvas = np.zeros(((bottom - top) * ss, (right - left) * ss), np.float32)
    local = ((points - (left, top)) + 0.5) * ss - 0.5
    fixed = np.rint(local * (1 << _SHIFT)).astype(np.int32)
    cv2.fillPoly(canvas, [fixed.reshape(-1, 1, 2)], float(opacity), cv2.LINE_8, _SHIFT)
    canvas = cv2.GaussianBlur(canvas, (0, 0), sigmaX=blur * ss)
    alpha = cv2.resize(canvas, (right - left, bottom - top), interpolation=cv2.INTER_AREA)
    return np.clip(alpha, 0, 1), top, left


def damage_colour(rng: np.random.Generator, bright: bool) -> np.ndarray:
    if bright:  # exposed paper base / clear film: near white, faintly warm
        return rng.uniform(0.88, 1.0) * np.array([1.0, 0.98, 0.94], np.float32)
    return rng.uniform(0.02, 0.18) * np.array([1.0, 0.95, 0.9], np.float32)


def wander_path(
    start: np.ndarray,
    heading: float,
    length: float,
    turn: float,
    wander: float,
    rng: np.random.Generator,
    step: float = 2.0,
) -> np.ndarray:
    """Points (x, y) along a path with constant turning rate ``turn`` (rad/px) plus a smooth
    random heading change of amplitude ``wander`` (rad)."""
    count = max(int(length / step), 2)
    t = np.linspace(0, 1, count)
    headings = heading + turn * length * t + wander * smooth_noise(rng, t, waves=3)
    steps = np.stack([np.cos(headings), np.sin(headings)], 1) * (length / (count - 1))
    return start + np.concatenate([np.zeros((1, 2)), np.cumsum(steps[:-1], 0)], 0)


class Canvas:
    """The image being damaged, ``(H, W, 3)`` float32, composited element by element."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    @property
    def shape(self) -> tuple[int, int]:
        return self.array.shape[0], self.array.shape[1]

    def paint(
        self,
        rendered: tuple[np.ndarray, int, int] | None,
        colour: np.ndarray,
        texture: np.ndarray | None = None,
    ) -> None:
        """Composite ``colour`` (plus an optional ``(h, w)`` ``texture`` added to it, the size
        of the alpha patch) over the image with the rendered alpha."""
        if rendered is None:
            return
        alpha, top, left = rendered
        region = self.array[top : top + alpha.shape[0], left : left + alpha.shape[1]]
        a = alpha[:, :, None]
        region *= 1 - a
        if texture is None:
            region += a * colour
        else:
            region += a * np.clip(colour + texture[:, :, None], 0, 1)

    def multiply(self, rendered: tuple[np.ndarray, int, int] | None, colour: np.ndarray) -> None:
        """Multiply by ``colour`` with the rendered alpha (a transparent dye: stains)."""
        if rendered is None:
            return
        alpha, top, left = rendered
        region = self.array[top : top + alpha.shape[0], left : left + alpha.shape[1]]
        region *= 1 - alpha[:, :, None] * (1 - colour)

    def shade(self, factor: np.ndarray) -> None:
        """Multiply every channel by ``factor`` ``(H, W)`` (lighting: the relief of a fold)."""
        self.array *= factor[:, :, None]
