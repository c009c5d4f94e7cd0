"""Pieces shared by the Zhang et al. colorizers: Lab normalization, widths, conv stacks, padding.

The authors normalize the network input as ``(L - 50) / 100`` and their ab values as
``ab / 110`` (``BaseColor`` in their release); the same constants are used here.
"""

from __future__ import annotations

import torch
from torch import nn

from restora.core.checks import check_shape
from restora.nn.padding import pad_to_multiple

L_CENTRE = 50.0
L_NORM = 100.0
AB_NORM = 110.0
MULTIPLE = 8  # three stride-2 stages


def scaled(channels: int, width: float) -> int:
    """``channels * width`` rounded, at least 1 (the width multiplier of the CPU-sized variants)."""
    return max(1, round(channels * width))


def check_width(width: float) -> None:
    if not 0 < width <= 4:
        raise ValueError(f"width must be in (0, 4], got {width}")


def conv_stack(
    channels: list[int], *, stride_last: int = 1, dilation: int = 1, relu_first: bool = False
) -> list[nn.Module]:
    """``[ReLU?] (Conv3x3, ReLU) * n, BatchNorm``: the authors' block layout (keys ``i.weight``).

    ``channels = [c_in, c_1, ..., c_n]``; the last convolution has stride ``stride_last``.
    """
    layers: list[nn.Module] = [nn.ReLU(True)] if relu_first else []
    pairs = list(zip(channels[:-1], channels[1:], strict=True))
    for i, (cin, cout) in enumerate(pairs):
        stride = stride_last if i == len(pairs) - 1 else 1
        layers += [
            nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation),
            nn.ReLU(True),
        ]
    return [*layers, nn.BatchNorm2d(channels[-1])]


def check_lightness(lightness: torch.Tensor) -> None:
    check_shape(lightness, ["B", "1", "H", "W"], "lightness")
    if not lightness.is_floating_point():
        raise TypeError(f"lightness must be a floating-point tensor, got {lightness.dtype}")


def pad8(x: torch.Tensor) -> torch.Tensor:
    """Pad bottom/right to a multiple of 8 (reflect, replicate where too small)."""
    return pad_to_multiple(x, multiple_of=MULTIPLE)[0]
