"""Is a photo colour, monochrome, or a sepia-toned monochrome? Decided from the pixels.

Method (all on a copy block-averaged to about ``_ANALYSIS_SIDE`` pixels a side, which also
averages JPEG chroma noise away):

1. Opponent chroma per pixel, ``o1 = (R - G) / sqrt 2``, ``o2 = (R + G - 2B) / sqrt 6``
   (orthonormal to the gray axis, so ``|o|`` is the distance from gray).
2. **monochrome** when the 99th percentile of ``|o|`` is below ``_MONO_CHROMA``.
3. **sepia** when the chroma is explained by luminance alone, i.e. the image is a tinted gray
   ramp: per-luminance-bin mean chroma ``e(L)`` (16 bins, linear interpolation), and
      - pixels stay on the tint's hue axis: 99th percentile of the distance to the ray along
        ``e(L)`` below ``_SEPIA_OFF_AXIS``;
      - their strength follows luminance: 90th percentile of ``|o - e(L)| / (|e(L)| + 0.03)``
        below ``_SEPIA_RELATIVE`` (not the 99th: JPEG chroma subsampling smears the tint
        across hard edges);
      - the overall hue is warm (brown / yellow): ``atan2(o2, o1)`` of the summed chroma in
        ``_SEPIA_HUE`` degrees (pure red is 30 deg, yellow 90 deg, blue about -110 deg).
4. **color** otherwise.

Thresholds were set on synthetic sepia (sepia matrix and a tint applied to the gray images of
Set12 / BSD68 / RNI6, JPEG quality 50-75) against CBSD68, Set5, Set14 and the DIP images.
Known limits: a colour scene of one warm hue (sand, a stone wall) can read as "sepia", and a
tinted monochrome of a cold hue (cyanotype) reads as "color".
"""

from __future__ import annotations

import math

import numpy as np
import torch

from restora.core.checks import check_shape

_ANALYSIS_SIDE = 128
_BINS = 16
_MONO_CHROMA = 0.04
_SEPIA_OFF_AXIS = 0.035
_SEPIA_RELATIVE = 0.35
_SEPIA_HUE = (15.0, 105.0)


def _opponent(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flattened luminance and opponent chroma of a (3, H, W) image after block averaging."""
    _, h, w = image.shape
    step = max(1, math.ceil(max(h, w) / _ANALYSIS_SIDE))
    if step > 1 and h >= step and w >= step:  # the last partial block row/column is left out
        hb, wb = h // step, w // step  # reduceat keeps memory at (3, hb, W), never a full copy
        rows = np.add.reduceat(image[:, : hb * step], np.arange(0, hb * step, step), axis=1)
        blocks = np.add.reduceat(rows[:, :, : wb * step], np.arange(0, wb * step, step), axis=2)
        image = blocks / (step * step)
    r, g, b = image.astype(np.float64).reshape(3, -1)
    o1 = (r - g) / math.sqrt(2.0)
    o2 = (r + g - 2.0 * b) / math.sqrt(6.0)
    return (r + g + b) / 3.0, o1, o2


def _expected_chroma(
    lum: np.ndarray, o1: np.ndarray, o2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean chroma as a function of luminance (binned, linearly interpolated), per pixel."""
    x = np.clip(lum * _BINS - 0.5, 0, _BINS - 1)
    i0 = np.minimum(np.floor(x).astype(np.int64), _BINS - 2)
    w1 = np.clip(x - i0, 0, 1)
    w0 = 1.0 - w1

    def binned(values: np.ndarray) -> np.ndarray:
        low = np.bincount(i0, values * w0, minlength=_BINS)
        high = np.bincount(i0 + 1, values * w1, minlength=_BINS)
        return low + high

    count = np.maximum(binned(np.ones_like(lum)), 1e-6)
    m1, m2 = binned(o1) / count, binned(o2) / count
    return m1[i0] * w0 + m1[i0 + 1] * w1, m2[i0] * w0 + m2[i0 + 1] * w1


def detect_tone(image: torch.Tensor) -> str:
    """Return "monochrome", "sepia" or "color" for one RGB image.

    ``image``: (1, 3, H, W) or (3, H, W) float in [0, 1]. "monochrome" means the channels are
    (nearly) equal; "sepia" a gray picture with a consistent warm tint (brown / yellow);
    robust to JPEG chroma noise. See the module docstring for the method and its limits.

    >>> detect_tone(torch.full((1, 3, 8, 8), 0.5))
    'monochrome'
    """
    if image.ndim == 3:
        image = image[None]
    check_shape(image, ["1", "3", "H", "W"], "image")
    x = image[0].detach().to("cpu", torch.float32).numpy()
    if np.array_equal(x[0], x[1]) and np.array_equal(x[1], x[2]):
        return "monochrome"
    lum, o1, o2 = _opponent(x)
    chroma = np.hypot(o1, o2)
    if np.quantile(chroma, 0.99) < _MONO_CHROMA:
        return "monochrome"

    e1, e2 = _expected_chroma(lum, o1, o2)
    e_norm = np.hypot(e1, e2)
    u1, u2 = e1 / np.maximum(e_norm, 1e-9), e2 / np.maximum(e_norm, 1e-9)
    along = o1 * u1 + o2 * u2
    off_axis = np.where(along >= 0, np.abs(o2 * u1 - o1 * u2), chroma)
    relative = np.hypot(o1 - e1, o2 - e2) / (e_norm + 0.03)
    hue = math.degrees(math.atan2(float(o2.sum()), float(o1.sum())))

    if (
        np.quantile(off_axis, 0.99) < _SEPIA_OFF_AXIS
        and np.quantile(relative, 0.90) < _SEPIA_RELATIVE
        and _SEPIA_HUE[0] <= hue <= _SEPIA_HUE[1]
    ):
        return "sepia"
    return "color"
