"""Shared preparation of (prediction, reference) pairs for the full-reference image metrics."""

from __future__ import annotations

import torch

from restora.color.ycbcr import rgb_to_y
from restora.core.checks import check_shape


def prepare_pair(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    data_range: float,
    crop_border: int,
    y_channel: bool,
) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Check, crop and (optionally) convert to Y; returns float64 tensors and their data range.

    With ``y_channel=True`` 3-channel inputs become BT.601 Y (MATLAB ``rgb2ycbcr``, not rounded)
    and 1-channel inputs are used as they are (what MATLAB SR evaluation scripts do with gray
    images); both are then on the 0..255 scale and the returned range is 255.
    """
    check_shape(x, ["B", "C", "H", "W"], "x")
    if x.shape != y.shape:
        raise ValueError(
            f"x and y must have the same shape, got {tuple(x.shape)} and {tuple(y.shape)}"
        )
    if not (x.is_floating_point() and y.is_floating_point()):
        raise TypeError(f"x and y must be floating-point tensors, got {x.dtype} and {y.dtype}")
    if not data_range > 0:
        raise ValueError(f"data_range must be positive, got {data_range}")
    if crop_border < 0 or 2 * crop_border >= min(x.shape[-2:]):
        raise ValueError(
            f"crop_border={crop_border} does not fit an image of size {tuple(x.shape[-2:])}"
        )
    if crop_border:
        c = crop_border
        x, y = x[..., c:-c, c:-c], y[..., c:-c, c:-c]
    x, y = x.to(torch.float64), y.to(torch.float64)
    if not y_channel:
        return x, y, float(data_range)
    if x.shape[1] == 3:
        return rgb_to_y(x / data_range) * 255.0, rgb_to_y(y / data_range) * 255.0, 255.0
    if x.shape[1] == 1:
        return x / data_range * 255.0, y / data_range * 255.0, 255.0
    raise ValueError(f"y_channel=True needs 1 or 3 channels, got {x.shape[1]}")
