"""Is a photo colour, monochrome, or a toned monochrome (sepia, cyanotype)? Decided from the pixels.

Method (on every n-th pixel, at most ``_ANALYSIS_SIDE`` pixels a side):

1. Opponent chroma per pixel, ``o1 = (R - G) / sqrt 2``, ``o2 = (R + G - 2B) / sqrt 6``
   (orthonormal to the gray axis, so ``|o|`` is the distance from gray).
2. **monochrome** when the 99th percentile of ``|o|`` is below ``_MONO_CHROMA``.
3. A toned print's colour is a function of its lightness alone (the toner follows the silver):
   the mean chroma of each lightness band, ``e(L)`` (``_BANDS`` bands, linear interpolation),
   explains it. A colour photo - however faded or cast - keeps colours of its own on top of
   that: the *residual* ``o - e(L)``. The residual field is averaged over ``_CELLS`` cells
   along the long side (so grain and JPEG noise cancel and only coherent colour stays), and
   its component across the tint's hue (stains and uneven toning mostly run along it) is
   measured: **color** when the 90th percentile over the cells exceeds ``_RESIDUAL``, or
   ``_RESIDUAL_PER_TINT`` times the tint's strength when that is more (a strong tint carries
   more JPEG chroma noise).
4. Otherwise a toned monochrome: **cyanotype** when the tint's hue ``atan2(o2, o1)`` is blue
   (``_CYAN_HUE`` degrees), **sepia** for every other tint (brown, warm black, purple).

Both thresholds were chosen on 120 BSDS500 *train* photos rendered as faded colour prints and as
toned prints, JPEG 75-95 (``benchmarks/color_correct.py tune``): at least 95 % of the faded
colour prints read as colour there; ``benchmarks/color_correct.py`` measures the confusion matrix
on other photos. The price: colour that is faint is still colour. Known limits: a colour scene
with almost no colour of its own (gray rock, a beige wall), once faded, reads as sepia; a toned
print with uneven toning, stains, a coloured mount or strong JPEG chroma noise (quality 75 on
a heavily textured photo) can read as colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from restora.core.checks import check_shape

__all__ = ["TONES", "ToneFeatures", "detect_tone", "tone_features"]

TONES = ("color", "monochrome", "sepia", "cyanotype")
_ANALYSIS_SIDE = 512
_BANDS = 64
_CELLS = 8
_MONO_CHROMA = 0.04
_RESIDUAL = 0.0025
_RESIDUAL_PER_TINT = 0.02
_CYAN_HUE = (-165.0, -75.0)
_MIN_PIXELS = 64


@dataclass(frozen=True)
class ToneFeatures:
    """What :func:`detect_tone` decides on: ``chroma`` (99th percentile of the opponent chroma),
    ``residual`` (colour not explained by lightness, see the module docstring), ``tint`` and
    ``hue`` (strength and hue angle in degrees of the mean lightness-explained chroma)."""

    chroma: float
    residual: float
    tint: float
    hue: float


def _samples(image: torch.Tensor) -> np.ndarray:
    """Every ``step``-th pixel of a ``(3, H, W)`` image, at most ``_ANALYSIS_SIDE`` a side, as
    float64 numpy. Sampled, not block-averaged: averaging first would mix lightnesses across
    edges and bend the colour-follows-lightness rule of a toned print (JPEG's half-resolution
    chroma is averaged out by the cell means instead)."""
    _, h, w = image.shape
    step = max(1, math.ceil(max(h, w) / _ANALYSIS_SIDE))
    return image[:, ::step, ::step].detach().to("cpu", torch.float64).numpy()


def _band_means(lum: np.ndarray, o1: np.ndarray, o2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean chroma as a function of luminance (binned, linearly interpolated), per pixel."""
    x = np.clip(lum * _BANDS - 0.5, 0, _BANDS - 1)
    i0 = np.minimum(np.floor(x).astype(np.int64), _BANDS - 2)
    w1 = np.clip(x - i0, 0, 1)
    w0 = 1.0 - w1

    def binned(values: np.ndarray) -> np.ndarray:
        low = np.bincount(i0, values * w0, minlength=_BANDS)
        high = np.bincount(i0 + 1, values * w1, minlength=_BANDS)
        return low + high

    count = np.maximum(binned(np.ones_like(lum)), 1e-6)
    m1, m2 = binned(o1) / count, binned(o2) / count
    return m1[i0] * w0 + m1[i0 + 1] * w1, m2[i0] * w0 + m2[i0 + 1] * w1


def _cell_means(field: np.ndarray) -> np.ndarray:
    """Means of ``field`` ``(h, w)`` over about ``_CELLS`` square cells along the long side."""
    h, w = field.shape
    step = max(1, math.ceil(max(h, w) / _CELLS))
    ch, cw = max(1, h // step), max(1, w // step)
    step_h, step_w = min(step, h), min(step, w)
    return field[: ch * step_h, : cw * step_w].reshape(ch, step_h, cw, step_w).mean(axis=(1, 3))


def tone_features(image: torch.Tensor) -> ToneFeatures:
    """The measurements behind :func:`detect_tone` for ``image`` ``(1, 3, H, W)`` or
    ``(3, H, W)`` float in [0, 1]."""
    if image.ndim == 3:
        image = image[None]
    check_shape(image, ["1", "3", "H", "W"], "image")
    r, g, b = _samples(image[0])
    lum = (r + g + b) / 3.0
    o1 = (r - g) / math.sqrt(2.0)
    o2 = (r + g - 2.0 * b) / math.sqrt(6.0)
    chroma = float(np.quantile(np.hypot(o1, o2), 0.99))
    e1, e2 = _band_means(lum.ravel(), o1.ravel(), o2.ravel())
    m1, m2 = float(e1.mean()), float(e2.mean())
    tint = math.hypot(m1, m2)
    u1, u2 = (m1 / tint, m2 / tint) if tint > 1e-9 else (1.0, 0.0)
    across = (o2.ravel() - e2) * u1 - (o1.ravel() - e1) * u2
    residual = float(np.quantile(np.abs(_cell_means(across.reshape(lum.shape))), 0.9))
    return ToneFeatures(
        chroma=chroma, residual=residual, tint=tint, hue=math.degrees(math.atan2(m2, m1))
    )


def detect_tone(image: torch.Tensor) -> str:
    """Return "color", "monochrome", "sepia" or "cyanotype" for one RGB image.

    ``image``: (1, 3, H, W) or (3, H, W) float in [0, 1]. "monochrome" means the channels are
    (nearly) equal; "sepia" a monochrome print with a tint that follows its lightness (brown,
    warm black, purple); "cyanotype" the same in blue; "color" everything with colours of its
    own, faded or cast colour photos included. See the module docstring for the method and its
    limits.

    >>> detect_tone(torch.full((1, 3, 8, 8), 0.5))
    'monochrome'
    """
    if image.ndim == 3:
        image = image[None]
    check_shape(image, ["1", "3", "H", "W"], "image")
    x = image[0].detach()
    if torch.equal(x[0], x[1]) and torch.equal(x[1], x[2]):
        return "monochrome"
    features = tone_features(image)
    if features.chroma < _MONO_CHROMA:
        return "monochrome"
    if x.shape[-2] * x.shape[-1] < _MIN_PIXELS:  # too few pixels to see a tone follow lightness
        return "color"
    if features.residual > max(_RESIDUAL, _RESIDUAL_PER_TINT * features.tint):
        return "color"
    return "cyanotype" if _CYAN_HUE[0] <= features.hue <= _CYAN_HUE[1] else "sepia"
