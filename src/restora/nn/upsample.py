"""Learned upsamplers: sub-pixel convolution, transposed convolution, resize-then-convolve.

Each maps ``(B, C, H, W)`` to ``(B, C_out, scale*H, scale*W)`` exactly, for any ``H, W``.
"""

from __future__ import annotations

import math
from typing import Literal

from torch import nn

__all__ = [
    "PixelShuffleUpsampler",
    "ResizeConvUpsampler",
    "TransposedConvUpsampler",
    "Upsampling",
    "make_upsampler",
]

Upsampling = Literal["pixel_shuffle", "transposed", "resize_conv"]


class PixelShuffleUpsampler(nn.Sequential):
    """Sub-pixel convolution (Shi et al. 2016), channel-preserving, as EDSR's ``Upsampler``.

    Power-of-two scales use ``log2(scale)`` steps of ``conv(C -> 4C), PixelShuffle(2)``; any
    other scale one step of ``conv(C -> scale² C), PixelShuffle(scale)``. Children are numbered
    ``0, 1, 2, ...`` (conv, shuffle, conv, shuffle), matching EDSR-PyTorch's ``tail.0.*`` keys.

    >>> import torch
    >>> tuple(PixelShuffleUpsampler(8, 3)(torch.rand(1, 8, 5, 7)).shape)
    (1, 8, 15, 21)
    """

    def __init__(self, channels: int, scale: int, *, kernel_size: int = 3) -> None:
        if scale < 2:
            raise ValueError(f"scale must be >= 2, got {scale}")
        steps = [2] * int(math.log2(scale)) if scale & (scale - 1) == 0 else [scale]
        layers: list[nn.Module] = []
        for step in steps:
            layers.append(
                nn.Conv2d(channels, step * step * channels, kernel_size, padding=kernel_size // 2)
            )
            layers.append(nn.PixelShuffle(step))
        super().__init__(*layers)


class TransposedConvUpsampler(nn.ConvTranspose2d):
    """``ConvTranspose2d`` with stride ``scale`` and padding chosen so the output is exactly ×scale.

    ``kernel_size`` defaults to ``2 * scale`` (4x4 for ×2, as in pix2pix/DCGAN). Padding is
    ``(k - 1) // 2`` and ``output_padding`` makes up the rest (e.g. FSRCNN's 9x9: padding 4,
    output_padding ``scale - 1``).

    >>> import torch
    >>> tuple(TransposedConvUpsampler(8, 4, 3)(torch.rand(1, 8, 5, 7)).shape)
    (1, 4, 15, 21)
    """

    def __init__(
        self, in_channels: int, out_channels: int, scale: int, *, kernel_size: int | None = None
    ) -> None:
        k = 2 * scale if kernel_size is None else kernel_size
        padding = (k - 1) // 2
        output_padding = scale - (k - 2 * padding)
        if not 0 <= output_padding < scale:
            raise ValueError(f"kernel_size {k} cannot upsample exactly x{scale}")
        super().__init__(
            in_channels,
            out_channels,
            k,
            stride=scale,
            padding=padding,
            output_padding=output_padding,
        )


class ResizeConvUpsampler(nn.Sequential):
    """Resize (nearest or bilinear) then convolve (Odena et al. 2016: no checkerboard artifacts).

    Keys: ``1.weight``/``1.bias`` for the convolution (child 0 is the ``Upsample``).

    >>> import torch
    >>> tuple(ResizeConvUpsampler(8, 4, 2)(torch.rand(1, 8, 5, 7)).shape)
    (1, 4, 10, 14)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        scale: int,
        *,
        mode: Literal["nearest", "bilinear"] = "nearest",
        kernel_size: int = 3,
    ) -> None:
        align = False if mode == "bilinear" else None
        super().__init__(
            nn.Upsample(scale_factor=scale, mode=mode, align_corners=align),
            nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2),
        )


def make_upsampler(kind: Upsampling, in_channels: int, out_channels: int, scale: int) -> nn.Module:
    """An upsampler by name. ``pixel_shuffle`` keeps channels, so it needs ``in == out``."""
    if kind == "pixel_shuffle":
        if in_channels != out_channels:
            raise ValueError("pixel_shuffle keeps the channel count: in_channels must equal out")
        return PixelShuffleUpsampler(in_channels, scale)
    if kind == "transposed":
        return TransposedConvUpsampler(in_channels, out_channels, scale)
    if kind == "resize_conv":
        return ResizeConvUpsampler(in_channels, out_channels, scale)
    raise ValueError(
        f"unknown upsampler {kind!r}: expected pixel_shuffle, transposed or resize_conv"
    )
