"""Gated convolution (Yu et al., "Free-Form Image Inpainting with Gated Convolution", ICCV 2019)."""

from __future__ import annotations

import torch
from torch import nn

from restora.nn.norm import Activation, make_activation
from restora.nn.spectral_norm import spectral_norm as add_spectral_norm

__all__ = ["GatedConv2d"]


class GatedConv2d(nn.Module):
    """``out = phi(feature(x)) * sigmoid(gating(x))``, a learned soft mask per pixel and channel.

    Two convolutions with the same geometry (``feature`` and ``gating``) see the input; ``phi`` is
    ``activation`` (ELU by default as in DeepFill v2, or ``lrelu``/``relu``/``none``). ``padding``
    defaults to "same" for stride 1: ``dilation * (kernel_size - 1) // 2``. With
    ``spectral_norm=True`` both convolutions are spectrally normalized.

    Input ``(B, C_in, H, W)`` float, output ``(B, C_out, H', W')``.

    >>> conv = GatedConv2d(4, 8, 3, dilation=2)
    >>> tuple(conv(torch.rand(1, 4, 9, 7)).shape)
    (1, 8, 9, 7)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        *,
        padding: int | None = None,
        dilation: int = 1,
        activation: Activation = "elu",
        bias: bool = True,
        spectral_norm: bool = False,
    ) -> None:
        super().__init__()
        if padding is None:
            padding = dilation * (kernel_size - 1) // 2
        geometry = dict(stride=stride, padding=padding, dilation=dilation, bias=bias)
        feature = nn.Conv2d(in_channels, out_channels, kernel_size, **geometry)
        gating = nn.Conv2d(in_channels, out_channels, kernel_size, **geometry)
        self.feature = add_spectral_norm(feature) if spectral_norm else feature
        self.gating = add_spectral_norm(gating) if spectral_norm else gating
        self.activation = make_activation(activation, out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.feature(x)) * torch.sigmoid(self.gating(x))
