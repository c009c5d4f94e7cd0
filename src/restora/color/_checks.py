"""Input check shared by the colour conversions."""

from __future__ import annotations

import torch

from restora.core.checks import check_shape


def check_color_input(x: torch.Tensor, name: str = "input", channels: int = 3) -> None:
    """Check that ``x`` is a floating-point ``(B, channels, H, W)`` tensor."""
    check_shape(x, ["B", str(channels), "H", "W"], name)
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {x.dtype}")
