"""The guided filter (He, Sun and Tang, "Guided Image Filtering", ECCV 2010).

Smooths a map ``src`` while making its edges follow those of a ``guide`` image: inside each
``(2r+1)^2`` window the output is a linear function of the guide, ``a * guide + b``, fitted to
``src`` by least squares with ``eps`` regularising ``a``. Used to put a coarse probability map
drawn up to full size back onto the photo's own edges (guided upsampling). The filter itself is
opencv-contrib's ``cv2.ximgproc.guidedFilter``; this module adds the row strips that keep its
temporaries small on a large scan and skips strips with nothing to filter.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from restora.core.checks import check_shape

__all__ = ["guided_filter"]


def _ximgproc():
    """opencv-contrib's ``cv2.ximgproc`` (restora depends on opencv-contrib-python-headless)."""
    ximgproc = getattr(cv2, "ximgproc", None)
    if ximgproc is None:
        raise ImportError(
            "cv2.ximgproc is missing: restora needs opencv-contrib-python-headless, not plain "
            "opencv-python (pip uninstall opencv-python; pip install "
            "'opencv-contrib-python-headless<5')"
        )
    return ximgproc


def guided_filter(
    guide: torch.Tensor, src: torch.Tensor, *, radius: int, eps: float, strip_rows: int = 1024
) -> torch.Tensor:
    """``src`` filtered under ``guide`` (gray, one channel each).

    Args:
        guide: ``(1, 1, H, W)`` float, e.g. the photo's luminance in [0, 1].
        src: ``(1, 1, H, W)`` float, the map to filter.
        radius: window radius in px (>= 1).
        eps: regularisation (> 0): edges of the guide with a variance well above ``eps`` are
            kept, flatter ones smoothed over.
        strip_rows: work on strips of this many rows (plus ``2 * radius`` rows of context
            each side, so the result is the same as in one piece): a handful of float32
            copies of a strip at a time rather than of a 100-megapixel photo; strips where
            ``src`` is zero are zero (exactly what the filter gives there) without work.

    Returns:
        float32 ``(1, 1, H, W)`` on ``src``'s device (not clipped: it may leave ``src``'s range
        slightly near strong edges).

    >>> g = torch.zeros(1, 1, 8, 8); g[..., 4:] = 1.0
    >>> s = torch.full((1, 1, 8, 8), 0.5); s[..., 5:] = 1.0
    >>> out = guided_filter(g, s, radius=2, eps=1e-4)
    >>> round(float(out[0, 0, 3, 3]), 2), round(float(out[0, 0, 3, 4]), 2)
    (0.5, 0.77)
    """
    check_shape(guide, ["1", "1", "H", "W"], "guide")
    check_shape(src, ["1", "1", str(guide.shape[-2]), str(guide.shape[-1])], "src")
    if radius < 1:
        raise ValueError(f"radius must be at least 1, got {radius}")
    if eps <= 0:
        raise ValueError(f"eps must be positive, got {eps}")
    if strip_rows < 1:
        raise ValueError(f"strip_rows must be at least 1, got {strip_rows}")
    ximgproc = _ximgproc()
    i = guide[0, 0].detach().cpu().float().numpy()
    p = src[0, 0].detach().cpu().float().numpy()
    height = i.shape[0]
    out = np.empty(i.shape, np.float32)
    context = 2 * radius  # a box filter of a box filter reaches this far
    for y0 in range(0, height, strip_rows):
        y1 = min(height, y0 + strip_rows)
        a0, a1 = max(0, y0 - context), min(height, y1 + context)
        if not p[a0:a1].any():  # a zero map filters to exactly zero (a = b = 0)
            out[y0:y1] = 0.0
            continue
        strip = ximgproc.guidedFilter(i[a0:a1], p[a0:a1], radius, eps)
        out[y0:y1] = strip[y0 - a0 : y1 - a0]
    return torch.from_numpy(out)[None, None].to(src.device)
