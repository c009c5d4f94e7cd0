"""A stack of dilated 3x3 convolutions: a large receptive field at constant resolution."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from restora.nn.norm import Activation, Norm, make_activation, make_norm

__all__ = ["DilatedConvBlock"]


class DilatedConvBlock(nn.Module):
    """``conv(dilation=d) → norm → act`` for each ``d`` in ``dilations`` (Yu & Koltun 2016;
    the 2-4-8-16 middle of Iizuka et al. 2017 and DeepFill), optionally with a residual add.

    "Same" padding keeps ``(B, channels, H, W)``; the receptive field grows by
    ``2 * sum(dilations)`` pixels (3x3 kernels).

    >>> tuple(DilatedConvBlock(8, dilations=(2, 4))(torch.rand(1, 8, 9, 7)).shape)
    (1, 8, 9, 7)
    """

    def __init__(
        self,
        channels: int,
        *,
        dilations: Sequence[int] = (2, 4, 8, 16),
        kernel_size: int = 3,
        norm: Norm = "none",
        activation: Activation = "relu",
        residual: bool = False,
    ) -> None:
        super().__init__()
        if not dilations:
            raise ValueError("dilations must not be empty")
        layers: list[nn.Module] = []
        for d in dilations:
            pad = d * (kernel_size - 1) // 2
            layers.append(nn.Conv2d(channels, channels, kernel_size, padding=pad, dilation=d))
            layers.append(make_norm(norm, channels))
            layers.append(make_activation(activation, channels))
        self.body = nn.Sequential(*layers)
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        return x + y if self.residual else y
