"""MATLAB-compatible ``imresize`` in torch (the resize behind every published SR number).

Reproduces MATLAB's ``imresize`` for double images: separable kernels ("cubic" = Keys with
a = -0.5, "lanczos2", "lanczos3", "linear" (triangle), "box"); when downscaling with
``antialias=True`` the kernel is stretched by ``1 / scale`` (MATLAB's default); output size
``ceil(scale * in)``; out-of-image taps read mirrored pixels (symmetric padding: MATLAB's
``contributions()`` index table ``[1..n, n..1]``); per-output weights are normalised to sum
to 1. Dimensions are processed in MATLAB's order (the smaller scale first).

Differences from MATLAB's uint8 path: nothing is clamped or rounded here (bicubic and lanczos
overshoot [0, 1] near edges). To reproduce ``imresize`` on a uint8 image, quantise the result
yourself (round half away from zero to multiples of 1/255 and clamp to [0, 1]; this is
``restora.metrics.quantize_8bit``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from restora.core.checks import check_shape

_EPS = float(np.finfo(np.float64).eps)  # MATLAB's eps, used by its lanczos kernels


def _cubic(x: np.ndarray) -> np.ndarray:
    ax = np.abs(x)
    ax2, ax3 = ax**2, ax**3
    near = (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1)
    far = (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * ((ax > 1) & (ax <= 2))
    return near + far


def _lanczos(lobes: int) -> Callable[[np.ndarray], np.ndarray]:
    def kernel(x: np.ndarray) -> np.ndarray:
        num = np.sin(np.pi * x) * np.sin(np.pi * x / lobes) + _EPS
        den = np.pi**2 * x**2 / lobes + _EPS
        return num / den * (np.abs(x) < lobes)

    return kernel


def _linear(x: np.ndarray) -> np.ndarray:
    return (x + 1) * ((x >= -1) & (x < 0)) + (1 - x) * ((x >= 0) & (x <= 1))


def _box(x: np.ndarray) -> np.ndarray:
    return ((x >= -0.5) & (x < 0.5)).astype(np.float64)


# name -> (kernel, support width in input pixels at scale 1), as in MATLAB's imresize.
KERNELS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], float]] = {
    "cubic": (_cubic, 4.0),
    "lanczos2": (_lanczos(2), 4.0),
    "lanczos3": (_lanczos(3), 6.0),
    "linear": (_linear, 2.0),
    "box": (_box, 1.0),
}


def contributions(
    in_length: int, out_length: int, scale: float, kernel: str, antialias: bool
) -> tuple[np.ndarray, np.ndarray]:
    """MATLAB's ``contributions()``: weights and 0-based input indices, both ``(out_length, P)``.

    ``out[i] = sum_p weights[i, p] * in[indices[i, p]]``; rows of ``weights`` sum to 1.
    """
    func, width = KERNELS[kernel]
    if scale < 1 and antialias:

        def h(x: np.ndarray) -> np.ndarray:
            return scale * func(scale * x)

        width = width / scale
    else:
        h = func
    x = np.arange(1, out_length + 1, dtype=np.float64)[:, None]
    u = x / scale + 0.5 * (1 - 1 / scale)  # output pixel centre in 1-based input coordinates
    left = np.floor(u - width / 2)
    taps = math.ceil(width) + 2
    indices = left + np.arange(taps, dtype=np.float64)[None, :]
    weights = h(u - indices)
    weights = weights / weights.sum(axis=1, keepdims=True)
    mirror = np.concatenate([np.arange(in_length), np.arange(in_length - 1, -1, -1)])
    indices = mirror[np.mod(indices.astype(np.int64) - 1, 2 * in_length)]
    keep = np.any(weights != 0, axis=0)  # drop tap columns that are zero for every output
    return weights[:, keep], indices[:, keep]


# Up to this many (out x in) weights per axis a dense matrix product is used (fast, ~2.5x the
# gather below on CPU); larger axes gather their taps instead, so memory stays O(output * taps).
DENSE_MAX_ENTRIES = 1 << 22


def _resize_dim(
    x: torch.Tensor, dim: int, out_length: int, scale: float, kernel: str, antialias: bool
) -> torch.Tensor:
    in_length = x.shape[dim]
    weights, indices = contributions(in_length, out_length, scale, kernel, antialias)
    w = torch.from_numpy(weights).to(device=x.device, dtype=x.dtype)
    idx = torch.from_numpy(indices).to(x.device)
    moved = x.movedim(dim, -1)  # (..., in)
    if out_length * in_length <= DENSE_MAX_ENTRIES:
        matrix = torch.zeros(out_length, in_length, device=x.device, dtype=x.dtype)
        matrix.scatter_add_(1, idx, w)  # mirrored taps can hit the same pixel twice
        out = moved @ matrix.T
    else:
        taps = moved.index_select(-1, idx.reshape(-1)).unflatten(-1, tuple(idx.shape))
        out = (taps * w).sum(dim=-1)  # (..., out)
    return out.movedim(-1, dim)


def _plan(
    in_hw: tuple[int, int], scale: float | None, size: tuple[int, int] | None
) -> tuple[tuple[float, float], tuple[int, int]]:
    if (scale is None) == (size is None):
        raise ValueError("give exactly one of scale= or size=")
    if scale is not None:
        if not scale > 0 or not math.isfinite(scale):
            raise ValueError(f"scale must be a positive finite number, got {scale}")
        out = tuple(math.ceil(scale * n) for n in in_hw)
        return (scale, scale), (out[0], out[1])
    assert size is not None
    if len(size) != 2 or any(int(s) != s or s < 1 for s in size):
        raise ValueError(f"size must be two positive integers (H, W), got {size}")
    out_h, out_w = int(size[0]), int(size[1])
    return (out_h / in_hw[0], out_w / in_hw[1]), (out_h, out_w)


def imresize(
    x: torch.Tensor,
    *,
    scale: float | None = None,
    size: tuple[int, int] | None = None,
    kernel: str = "cubic",
    antialias: bool = True,
) -> torch.Tensor:
    """Resize like MATLAB's ``imresize(x, scale)`` / ``imresize(x, [H W])``.

    Args:
        x: float ``(B, C, H, W)``, any range, float32 or float64 (kept).
        scale: one factor for both axes; output size is ``ceil(scale * (H, W))``.
        size: output ``(H, W)``; each axis uses its own factor ``out / in``.
        kernel: "cubic" (Keys, a = -0.5), "lanczos2", "lanczos3", "linear" or "box".
        antialias: widen the kernel by ``1 / scale`` when downscaling (MATLAB's default).

    Returns:
        ``(B, C, H', W')`` in the input dtype. Not clamped: cubic and lanczos overshoot.
        Differentiable with respect to ``x``.

    >>> imresize(torch.rand(1, 3, 10, 7), scale=0.5).shape
    torch.Size([1, 3, 5, 4])
    """
    check_shape(x, ["B", "C", "H", "W"], "x")
    if not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor, got {x.dtype}")
    if kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}; choose from {sorted(KERNELS)}")
    in_hw = (x.shape[-2], x.shape[-1])
    scales, out_hw = _plan(in_hw, scale, size)
    order = sorted(range(2), key=lambda i: scales[i])  # MATLAB: smaller scale first (stable)
    for axis in order:
        if scales[axis] == 1.0 and out_hw[axis] == in_hw[axis]:
            continue  # MATLAB's weights are the identity here (lanczos: up to ~1e-16)
        x = _resize_dim(x, axis - 2, out_hw[axis], scales[axis], kernel, antialias)
    return x


def lanczos(
    x: torch.Tensor, *, scale: float | None = None, size: tuple[int, int] | None = None
) -> torch.Tensor:
    """:func:`imresize` with the "lanczos3" kernel (antialiased when downscaling).

    Args:
        x: float ``(B, C, H, W)``; see :func:`imresize` for ``scale`` / ``size``.

    Returns:
        ``(B, C, H', W')``, not clamped.
    """
    return imresize(x, scale=scale, size=size, kernel="lanczos3")
