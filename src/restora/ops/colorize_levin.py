"""Colorization using optimization (Levin, Lischinski and Weiss, SIGGRAPH 2004). No weights.

Neighbouring pixels with similar intensity should get similar colours. For every pixel ``r``
without a hint, its colour is asked to equal a weighted average of its 8 neighbours ``s``::

    U(r) = sum_s w_rs U(s),   w_rs ∝ exp(-(Y(r) - Y(s))^2 / sigma_r^2),   sum_s w_rs = 1

and hinted pixels keep their hint. That is a sparse linear system ``A x = b`` per colour
channel (``A = I - W`` on free rows, identity rows at hints), solved here with SuperLU. The
colour channels are CIE a and b (the paper uses YUV's U and V; any pair of chroma channels
that are linear in the hint colours works the same way), ``Y = L / 100``.

``sigma_r^2`` follows the authors' reference code: 0.6 x the intensity variance of the 3x3
window, at least ``-min_s (Y(r) - Y(s))^2 / ln 0.01`` (so the most similar neighbour gets a
weight >= 1 %) and at least 2e-6. Free rows get ``1e-9`` extra on the diagonal so regions no
hint can reach fade to gray instead of making the system singular.

Large images are solved at ``max_side`` pixels on the long side (hints pooled, see
:func:`restora.ops.hint_pool.pool_hints`) and the colour is upsampled onto the full-resolution
lightness (:func:`restora.color.recombine.recombine_lab`), so detail is never lost.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from restora.color.recombine import image_lightness, recombine_lab
from restora.core.checks import check_image, check_mask, check_shape
from restora.ops.hint_pool import pool_hints

__all__ = ["levin_ab", "levin_colorize", "levin_weights"]

_OFFSETS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]
_MIN_SIGMA2 = 2e-6
_LEAK = 1e-9


def _sparse():
    try:
        import scipy.sparse as sp
        import scipy.sparse.linalg as spla
    except ImportError:  # pragma: no cover - scipy is present wherever the tests run
        raise ImportError(
            "Levin colorization needs scipy (pip install scipy, or restora[dev])"
        ) from None
    return sp, spla


def levin_weights(intensity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Neighbour weights of every pixel: ``(8, H, W)`` weights (rows sum to 1) and validity.

    Args:
        intensity: ``(H, W)`` float64 in [0, 1].

    Returns:
        ``(weights, valid)``, both ``(8, H, W)``; neighbour ``k`` of pixel ``(y, x)`` is
        ``(y + dy_k, x + dx_k)`` for the offsets in row-major order without the centre.
        Neighbours outside the image have ``valid = False`` and weight 0.
    """
    h, w = intensity.shape
    padded = np.pad(intensity, 1, mode="constant", constant_values=np.nan)
    neighbours = np.stack([padded[1 + dy : 1 + dy + h, 1 + dx : 1 + dx + w] for dy, dx in _OFFSETS])
    valid = ~np.isnan(neighbours)
    values = np.where(valid, neighbours, 0.0)
    count = valid.sum(0) + 1.0  # the window includes the centre
    mean = (values.sum(0) + intensity) / count
    var = (np.where(valid, (values - mean) ** 2, 0.0).sum(0) + (intensity - mean) ** 2) / count
    d2 = np.where(valid, (values - intensity) ** 2, np.inf)
    sigma2 = np.maximum(0.6 * var, d2.min(0) / -math.log(0.01))
    sigma2 = np.maximum(sigma2, _MIN_SIGMA2)
    weights = np.where(valid, np.exp(-np.where(valid, d2, 0.0) / sigma2), 0.0)
    weights /= weights.sum(0, keepdims=True)
    return weights, valid


def levin_ab(lightness: torch.Tensor, hints: torch.Tensor, hint_mask: torch.Tensor) -> torch.Tensor:
    """Solve Levin et al.'s system at the given resolution.

    Args:
        lightness: ``(B, 1, H, W)`` CIE L in [0, 100].
        hints: ``(B, 2, H, W)`` CIE ab of the hints (values outside the mask are ignored).
        hint_mask: ``(B, 1, H, W)``, > 0.5 where a hint is given.

    Returns:
        ``(B, 2, H, W)`` ab in ``lightness``' dtype; hinted pixels equal their hint (up to the
        solver's rounding). An image without hints comes back gray (ab = 0).
    """
    check_shape(lightness, ["B", "1", "H", "W"], "lightness")
    b, _, h, w = lightness.shape
    check_shape(hints, [str(b), "2", str(h), str(w)], "hints")
    check_shape(hint_mask, [str(b), "1", str(h), str(w)], "hint_mask")
    out = torch.zeros(b, 2, h, w, dtype=lightness.dtype, device=lightness.device)
    for i in range(b):
        known = (hint_mask[i, 0] > 0.5).cpu().numpy().reshape(-1)
        if not known.any():
            continue
        y = lightness[i, 0].detach().cpu().double().numpy() / 100.0
        ab = hints[i].detach().cpu().double().numpy().reshape(2, -1)
        out[i] = torch.from_numpy(_solve(y, ab, known).reshape(2, h, w)).to(out)
    return out


def _solve(intensity: np.ndarray, ab: np.ndarray, known: np.ndarray) -> np.ndarray:
    sp, spla = _sparse()
    h, w = intensity.shape
    n = h * w
    weights, valid = levin_weights(intensity)
    index = np.arange(n).reshape(h, w)
    rows, cols, vals = [], [], []
    free = ~known.reshape(h, w)
    for k, (dy, dx) in enumerate(_OFFSETS):
        take = valid[k] & free
        ys, xs = np.nonzero(take)
        rows.append(index[ys, xs])
        cols.append(index[ys + dy, xs + dx])
        vals.append(-weights[k][ys, xs])
    diagonal = np.where(known, 1.0, 1.0 + _LEAK)
    rows.append(np.arange(n))
    cols.append(np.arange(n))
    vals.append(diagonal)
    matrix = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    rhs = np.where(known[None, :], ab, 0.0).T  # (n, 2)
    return np.asarray(spla.splu(matrix).solve(np.ascontiguousarray(rhs))).T


def levin_colorize(
    image: torch.Tensor,
    hints: torch.Tensor,
    hint_mask: torch.Tensor,
    *,
    max_side: int = 512,
    rows: int = 512,
) -> torch.Tensor:
    """Colorize ``image`` from colour hints by optimization; the full-resolution L is kept.

    Args:
        image: float ``(B, 3, H, W)`` sRGB in [0, 1]; only its lightness is used.
        hints: ``(B, 2, H, W)`` CIE ab at hinted pixels (e.g. from a hints file via
            ``restora.color.hints_to_ab``).
        hint_mask: ``(B, 1, H, W)``, 1 where a hint is given.
        max_side: the system is solved with the long side at most this many pixels (time and
            memory grow faster than linearly with the pixel count: ~1-3 s at 512 on one core).
        rows: strip height of the full-resolution colour conversions.

    Returns:
        float ``(B, 3, H, W)`` sRGB in [0, 1]; its L equals the input's.

    >>> img = torch.full((1, 3, 8, 8), 0.5)
    >>> hints = torch.zeros(1, 2, 8, 8); hints[:, 0] = 30.0
    >>> mask = torch.zeros(1, 1, 8, 8); mask[..., 0, 0] = 1
    >>> out = levin_colorize(img, hints, mask)
    >>> bool(out[0, 0].mean() > out[0, 1].mean())  # a > 0: reddish everywhere
    True
    """
    check_image(image)
    check_mask(hint_mask, image, "hint_mask")
    if max_side < 8:
        raise ValueError(f"max_side must be >= 8, got {max_side}")
    height, width = image.shape[-2:]
    lightness = image_lightness(image, rows=rows)
    scale = min(1.0, max_side / max(height, width))
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    if size != (height, width):
        l_small = F.interpolate(lightness, size=size, mode="bilinear", antialias=True)
    else:
        l_small = lightness
    h_small, m_small = pool_hints(hints.to(image), hint_mask.to(image), size)
    ab = levin_ab(l_small, h_small, m_small)
    return recombine_lab(lightness, ab, rows=rows)
