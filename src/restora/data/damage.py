"""Seeded synthetic damage for old photos: scratches, dust specks and hairs, with an exact mask.

Damage is drawn in pixel space on top of the (optionally aged) photo, the way it sits on a
print: grain and toning belong to the photo, scratches and dust lie over them. Each mark is
rendered antialiased (supersampled, then area-averaged) with its own colour and an opacity that
can vary along its length, and composited with "over". The mask marks every pixel whose value
changed by more than ``DamageConfig.min_change`` in some channel, so it agrees exactly with what
was drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from restora.core.checks import check_image
from restora.data.aging import age_photo, resolution_scale
from restora.io.arrays import numpy_to_tensor, tensor_to_numpy

_SHIFT = 4  # sub-pixel bits for cv2 drawing
_REFERENCE_AREA = 512.0 * 512.0


@dataclass(frozen=True)
class DamageConfig:
    """What :func:`synthesize_damage` draws. Counts are ``(low, high)`` inclusive ranges for a
    512x512 photo; they grow with the square root of the image area (at most x4). Sizes are in
    pixels for a photo up to 512 px on its short side and grow modestly (square root) above.

    Attributes:
        scratches: long, nearly vertical scratches (film / print transport scratches).
        curved_scratches: shorter scratches along gentle curves.
        dust: dust specks (small irregular blobs).
        hairs: hairs and fibres (thin, short, curly).
        scratch_width: width range of scratches in pixels.
        dust_size: diameter range of dust specks in pixels.
        bright_fraction: probability that a scratch or speck is bright (white) rather than dark.
        age: age the photo (sepia, fading, grain, softness) before drawing the damage.
        min_change: a pixel is in the mask when some channel changed by more than this.
    """

    scratches: tuple[int, int] = (2, 7)
    curved_scratches: tuple[int, int] = (0, 3)
    dust: tuple[int, int] = (10, 50)
    hairs: tuple[int, int] = (0, 3)
    scratch_width: tuple[float, float] = (1.0, 4.0)
    dust_size: tuple[float, float] = (1.0, 6.0)
    bright_fraction: float = 0.6
    age: bool = True
    min_change: float = 0.06

    def __post_init__(self) -> None:
        for name in ("scratches", "curved_scratches", "dust", "hairs"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f"{name} must be (low, high) with 0 <= low <= high")
        for name in ("scratch_width", "dust_size"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"{name} must be (low, high) with 0 < low <= high")
        if not 0.0 <= self.bright_fraction <= 1.0:
            raise ValueError("bright_fraction must be in [0, 1]")
        if not 0.0 < self.min_change < 1.0:
            raise ValueError("min_change must be in (0, 1)")


def _smooth_noise(rng: np.random.Generator, t: np.ndarray, waves: int = 4) -> np.ndarray:
    """A smooth random curve over ``t`` in [0, 1], values roughly in [-1, 1]."""
    out = np.zeros_like(t)
    for k in range(waves):
        freq = rng.uniform(0.5, 3.0) * (k + 1)
        out += np.sin(2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi)) / (k + 1)
    return out / 1.5


def _taper(t: np.ndarray, fraction: float) -> np.ndarray:
    """1 in the middle, falling smoothly to 0 over ``fraction`` of the length at both ends."""
    edge = np.clip(np.minimum(t, 1 - t) / max(fraction, 1e-6), 0, 1)
    return edge * edge * (3 - 2 * edge)


def _render_stroke(
    points: np.ndarray, width: float, opacity: np.ndarray, shape: tuple[int, int]
) -> tuple[np.ndarray, int, int] | None:
    """Antialiased coverage x opacity of a polyline; returns (alpha patch, top, left) or None.

    ``points`` is ``(N, 2)`` float (x, y) in pixel-centre coordinates, ``opacity`` ``(N,)``.
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
        p0 = (int(fixed[i, 0]), int(fixed[i, 1]))
        p1 = (int(fixed[i + 1, 0]), int(fixed[i + 1, 1]))
        cv2.line(canvas, p0, p1, value, thickness, cv2.LINE_8, _SHIFT)
    # A slight blur gives scratches the soft profile of a groove instead of a hard rectangle.
    canvas = cv2.GaussianBlur(canvas, (0, 0), sigmaX=0.35 * ss)
    alpha = cv2.resize(canvas, (right - left, bottom - top), interpolation=cv2.INTER_AREA)
    return np.clip(alpha, 0, 1), top, left


def _render_blob(
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
    height, width = shape
    pad = 3
    left = max(int(math.floor(points[:, 0].min() - pad)), 0)
    top = max(int(math.floor(points[:, 1].min() - pad)), 0)
    right = min(int(math.ceil(points[:, 0].max() + pad)) + 1, width)
    bottom = min(int(math.ceil(points[:, 1].max() + pad)) + 1, height)
    if right <= left or bottom <= top:
        return None
    ss = 4
    canvas = np.zeros(((bottom - top) * ss, (right - left) * ss), np.float32)
    local = ((points - (left, top)) + 0.5) * ss - 0.5
    fixed = np.rint(local * (1 << _SHIFT)).astype(np.int32)
    cv2.fillPoly(canvas, [fixed.reshape(-1, 1, 2)], float(opacity), cv2.LINE_8, _SHIFT)
    canvas = cv2.GaussianBlur(canvas, (0, 0), sigmaX=0.3 * ss)
    alpha = cv2.resize(canvas, (right - left, bottom - top), interpolation=cv2.INTER_AREA)
    return np.clip(alpha, 0, 1), top, left


def _colour(rng: np.random.Generator, bright: bool) -> np.ndarray:
    if bright:  # exposed paper base / clear film: near white, faintly warm
        return rng.uniform(0.88, 1.0) * np.array([1.0, 0.98, 0.94], np.float32)
    return rng.uniform(0.02, 0.18) * np.array([1.0, 0.95, 0.9], np.float32)


def _path(
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
    headings = heading + turn * length * t + wander * _smooth_noise(rng, t, waves=3)
    steps = np.stack([np.cos(headings), np.sin(headings)], 1) * (length / (count - 1))
    return start + np.concatenate([np.zeros((1, 2)), np.cumsum(steps[:-1], 0)], 0)


class _Canvas:
    """The image being damaged, ``(H, W, 3)`` float32, composited element by element."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    @property
    def shape(self) -> tuple[int, int]:
        return self.array.shape[0], self.array.shape[1]

    def paint(self, rendered: tuple[np.ndarray, int, int] | None, colour: np.ndarray) -> None:
        if rendered is None:
            return
        alpha, top, left = rendered
        region = self.array[top : top + alpha.shape[0], left : left + alpha.shape[1]]
        a = alpha[:, :, None]
        region *= 1 - a
        region += a * colour


def _count(rng: np.random.Generator, bounds: tuple[int, int], factor: float) -> int:
    return int(rng.integers(bounds[0], bounds[1] + 1) * factor + 0.5)


def _draw_scratches(
    canvas: _Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    height, width = canvas.shape
    for _ in range(_count(rng, config.scratches, factor)):
        length = rng.uniform(0.3, 1.0) * height
        start_y = -5.0 if rng.random() < 0.5 else rng.uniform(0, height - 0.3 * height)
        start = np.array([rng.uniform(0, width), start_y])
        tilt = float(np.clip(rng.normal(0, math.radians(2.0)), -0.1, 0.1))
        points = _path(start, math.pi / 2 + tilt, length, 0.0, rng.uniform(0, 0.01), rng)
        t = np.linspace(0, 1, len(points))
        # Scratches that enter from the edge only fade out at their far end.
        ends = _taper(0.5 + 0.5 * t, 0.04) if start_y < 0 else _taper(t, 0.08)
        profile = np.clip(0.75 + 0.45 * _smooth_noise(rng, t), 0, 1) * ends
        opacity = rng.uniform(0.5, 1.0) * profile
        line_width = rng.uniform(*config.scratch_width) * scale
        bright = rng.random() < config.bright_fraction
        canvas.paint(
            _render_stroke(points, line_width, opacity, (height, width)), _colour(rng, bright)
        )


def _draw_curves(
    canvas: _Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    height, width = canvas.shape
    short = min(height, width)
    for _ in range(_count(rng, config.curved_scratches, factor)):
        length = rng.uniform(0.15, 0.5) * short
        start = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        turn = rng.uniform(-1.5, 1.5) / length
        points = _path(start, rng.uniform(0, 2 * np.pi), length, turn, 0.2, rng)
        t = np.linspace(0, 1, len(points))
        opacity = rng.uniform(0.5, 1.0) * np.clip(0.8 + 0.4 * _smooth_noise(rng, t), 0, 1)
        opacity = opacity * _taper(t, 0.15)
        line_width = rng.uniform(config.scratch_width[0], 0.5 * sum(config.scratch_width)) * scale
        bright = rng.random() < config.bright_fraction
        canvas.paint(
            _render_stroke(points, line_width, opacity, (height, width)), _colour(rng, bright)
        )


def _draw_hairs(
    canvas: _Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    height, width = canvas.shape
    for _ in range(_count(rng, config.hairs, factor)):
        length = rng.uniform(15, 60) * scale
        start = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        turn = rng.uniform(-4, 4) / length
        points = _path(start, rng.uniform(0, 2 * np.pi), length, turn, 0.8, rng, step=1.0)
        t = np.linspace(0, 1, len(points))
        opacity = rng.uniform(0.6, 1.0) * _taper(t, 0.1)
        line_width = rng.uniform(0.9, 1.6) * scale
        bright = rng.random() < 0.2  # hairs and fibres mostly print dark
        canvas.paint(
            _render_stroke(points, line_width, opacity, (height, width)), _colour(rng, bright)
        )


def _draw_dust(
    canvas: _Canvas, rng: np.random.Generator, config: DamageConfig, scale: float, factor: float
) -> None:
    height, width = canvas.shape
    low, high = config.dust_size
    for _ in range(_count(rng, config.dust, factor)):
        # Log-uniform: small specks are far more common than big ones.
        diameter = math.exp(rng.uniform(math.log(low), math.log(high))) * scale
        center = np.array([rng.uniform(0, width), rng.uniform(0, height)])
        opacity = rng.uniform(0.55, 1.0)
        bright = rng.random() < config.bright_fraction
        canvas.paint(
            _render_blob(center, diameter, opacity, rng, (height, width)), _colour(rng, bright)
        )


def draw_damage(
    image: torch.Tensor, *, rng: np.random.Generator, config: DamageConfig = DamageConfig()
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw scratches, hairs and dust on ``image`` as it is (no aging).

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        rng: source of randomness; the same seed gives identical output.
        config: what to draw (``config.age`` is ignored here).

    Returns:
        ``(damaged, mask)``: float32 ``(1, 3, H, W)`` in [0, 1] and float32 ``(1, 1, H, W)`` in
        {0, 1}, 1 where some channel changed by more than ``config.min_change``.
    """
    check_image(image)
    if image.shape[0] != 1:
        raise ValueError(f"expected one image (1, 3, H, W), got batch of {image.shape[0]}")
    base = tensor_to_numpy(image, np.float32)
    height, width = base.shape[:2]
    canvas = _Canvas(base.copy())
    scale = resolution_scale(height, width)
    factor = min(max(math.sqrt(height * width / _REFERENCE_AREA), 0.5), 4.0)
    _draw_scratches(canvas, rng, config, scale, factor)
    _draw_curves(canvas, rng, config, scale, factor)
    _draw_hairs(canvas, rng, config, scale, factor)
    _draw_dust(canvas, rng, config, scale, factor)
    damaged = np.clip(canvas.array, 0, 1)
    mask = np.abs(damaged - base).max(axis=2) > config.min_change
    return numpy_to_tensor(damaged), numpy_to_tensor(mask)


def synthesize_damage(
    image: torch.Tensor, *, rng: np.random.Generator, config: DamageConfig = DamageConfig()
) -> tuple[torch.Tensor, torch.Tensor]:
    """Age a clean photo (if ``config.age``) and draw damage on it.

    Args:
        image: float32 ``(1, 3, H, W)`` in [0, 1].
        rng: source of randomness; the same seed gives identical output.
        config: counts, sizes and options.

    Returns:
        ``(damaged, mask)``: float32 ``(1, 3, H, W)`` in [0, 1] and float32 ``(1, 1, H, W)`` in
        {0, 1} (1 = damaged pixel).

    >>> damaged, mask = synthesize_damage(torch.rand(1, 3, 64, 64), rng=np.random.default_rng(0))
    >>> damaged.shape, mask.shape
    (torch.Size([1, 3, 64, 64]), torch.Size([1, 1, 64, 64]))
    """
    check_image(image)
    photo = age_photo(image, rng=rng) if config.age else image.float()
    return draw_damage(photo, rng=rng, config=config)
