"""Similarity transforms (rotation, uniform scale, translation): least-squares fit between point
sets (Umeyama 1991) and warping an image with one.

A transform is a (2, 3) float64 matrix ``M`` mapping a source point ``(x, y)`` to
``M @ (x, y, 1)``; pixel centres are at integer coordinates.

>>> import numpy as np
>>> src = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
>>> np.round(estimate_similarity(src, 2 * src + 3), 6).tolist()
[[2.0, -0.0, 3.0], [0.0, 2.0, 3.0]]
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from restora.core.checks import check_shape

__all__ = ["estimate_similarity", "warp_similarity"]


def estimate_similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The similarity ``M`` (2, 3) minimising ``sum |M @ src_i - dst_i|^2`` (no reflection).

    ``src``, ``dst``: (N, 2) points, N >= 2, not all equal.
    """
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    if src.shape != dst.shape or src.ndim != 2 or src.shape[1] != 2 or len(src) < 2:
        raise ValueError(
            f"expected two (N, 2) point sets with N >= 2, got {src.shape}, {dst.shape}"
        )
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s, d = src - mu_s, dst - mu_d
    var = (s**2).sum() / len(src)
    if var < 1e-12:
        raise ValueError("source points are all the same: no transform is defined")
    cov = d.T @ s / len(src)
    u, sigma, vt = np.linalg.svd(cov)
    sign = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[-1] = -1.0
    rot = u @ np.diag(sign) @ vt
    scale = (sigma * sign).sum() / var
    matrix = np.zeros((2, 3))
    matrix[:, :2] = scale * rot
    matrix[:, 2] = mu_d - scale * rot @ mu_s
    return matrix


def warp_similarity(
    image: torch.Tensor, matrix: np.ndarray, size: tuple[int, int], *, antialias: bool = True
) -> torch.Tensor:
    """Warp ``image`` (1, C, H, W) float by ``matrix`` (source → output pixels) into an output of
    ``size`` = (height, width); bilinear, zeros outside the source.

    With ``antialias`` and a shrinking transform (scale < 1), the relevant region is first
    area-downsampled so the output does not alias.
    """
    check_shape(image, ["1", "C", "H", "W"], "image")
    matrix = np.asarray(matrix, np.float64)
    if matrix.shape != (2, 3):
        raise ValueError(f"matrix must be (2, 3), got {matrix.shape}")
    out_h, out_w = size
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    if scale <= 0:
        raise ValueError("matrix is singular")
    x = image.float()
    if antialias and scale < 0.5:
        inverse = np.linalg.inv(np.vstack([matrix, [0, 0, 1]]))[:2]
        corners = np.array(
            [[0, 0, 1], [out_w - 1, 0, 1], [0, out_h - 1, 1], [out_w - 1, out_h - 1, 1]]
        )
        src = corners @ inverse.T
        margin = 2.0 / scale
        height, width = x.shape[-2:]
        x0 = int(np.clip(np.floor(src[:, 0].min() - margin), 0, width - 1))
        x1 = int(np.clip(np.ceil(src[:, 0].max() + margin), x0 + 1, width))
        y0 = int(np.clip(np.floor(src[:, 1].min() - margin), 0, height - 1))
        y1 = int(np.clip(np.ceil(src[:, 1].max() + margin), y0 + 1, height))
        step = max(1, int(np.floor(0.5 / scale)))
        region = x[:, :, y0:y1, x0:x1]
        small = F.avg_pool2d(region, step, step, ceil_mode=True) if step > 1 else region
        # pixel centre of small (i, j) is region ((step - 1) / 2 + step * j, ...)
        to_region = np.array(
            [[step, 0, (step - 1) / 2 + x0], [0, step, (step - 1) / 2 + y0], [0, 0, 1]]
        )
        matrix = np.vstack([matrix, [0, 0, 1]]) @ to_region
        matrix = matrix[:2]
        x = small
    height, width = x.shape[-2:]
    inverse = np.linalg.inv(np.vstack([matrix, [0, 0, 1]]))[:2]  # output pixel → source pixel
    # normalised coordinates (align_corners=True): u = 2 x / (W - 1) - 1
    to_out = np.array(
        [[(out_w - 1) / 2, 0, (out_w - 1) / 2], [0, (out_h - 1) / 2, (out_h - 1) / 2], [0, 0, 1]]
    )
    from_src = np.array(
        [[2 / max(width - 1, 1), 0, -1], [0, 2 / max(height - 1, 1), -1], [0, 0, 1]]
    )
    theta = (from_src @ np.vstack([inverse, [0, 0, 1]]) @ to_out)[:2]
    grid = F.affine_grid(
        torch.as_tensor(theta, dtype=torch.float32)[None],
        [1, x.shape[1], out_h, out_w],
        align_corners=True,
    )
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=True)
