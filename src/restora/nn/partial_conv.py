"""Partial convolution (Liu et al., "Image Inpainting for Irregular Holes Using Partial
Convolutions", ECCV 2018).

Mask convention. This layer works with the paper's **valid mask** ``M``: 1 = known pixel,
0 = hole. restora's public mask contract is the opposite (1 = hole), so a model that takes a
restora mask passes ``valid_mask = 1 - hole_mask`` to its first partial convolution; the argument
is named ``valid_mask`` everywhere to make the convention explicit.

For each output position with window ``X`` (input), ``M`` (valid mask) and weights ``W``::

    out = W^T (X * M) * sum(1) / sum(M) + b    if sum(M) > 0
    out = 0                                     otherwise
    new_M = 1 if sum(M) > 0 else 0

``sum(1)`` is the number of elements in the window (``C_in * kH * kW`` for a per-channel mask).
The mask is zero-padded like the input, so pixels beyond the border count as holes (the paper's
"partial convolution based padding").
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["PartialConv2d"]


class PartialConv2d(nn.Conv2d):
    """``Conv2d`` that ignores holes and renormalizes by the valid fraction of each window.

    ``forward(x, valid_mask)`` takes ``x`` ``(B, C_in, H, W)`` and ``valid_mask`` of shape
    ``(B, 1, H, W)`` (shared by all channels) or ``(B, C_in, H, W)``, values in {0, 1},
    **1 = valid**. It returns ``(out, new_valid_mask)``: ``out`` ``(B, C_out, H', W')`` and the
    updated mask ``(B, 1, H', W')`` for a single-channel input mask, else ``(B, C_out, H', W')``.
    The mask carries no gradient. Only ``groups=1`` and zero padding are supported.

    >>> conv = PartialConv2d(3, 8, 3, padding=1)
    >>> out, mask = conv(torch.rand(1, 3, 16, 16), torch.ones(1, 1, 16, 16))
    >>> tuple(out.shape), tuple(mask.shape)
    ((1, 8, 16, 16), (1, 1, 16, 16))
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            bias=bias,
        )

    def forward(  # type: ignore[override]
        self, x: torch.Tensor, valid_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if valid_mask.ndim != 4 or valid_mask.shape[1] not in (1, self.in_channels):
            raise ValueError(
                f"valid_mask must be (B, 1, H, W) or (B, {self.in_channels}, H, W), "
                f"got {tuple(valid_mask.shape)}"
            )
        if valid_mask.shape[-2:] != x.shape[-2:]:
            raise ValueError(
                f"valid_mask size {tuple(valid_mask.shape[-2:])} != input size {tuple(x.shape[-2:])}"
            )
        mask = valid_mask.to(x.dtype)
        with torch.no_grad():
            kh, kw = self.kernel_size
            ones = torch.ones(1, mask.shape[1], kh, kw, dtype=x.dtype, device=x.device)
            valid_count = F.conv2d(
                mask, ones, stride=self.stride, padding=self.padding, dilation=self.dilation
            )
            window = float(mask.shape[1] * kh * kw)
            updated = (valid_count > 0).to(x.dtype)
            ratio = window / valid_count.clamp(min=1.0) * updated
        raw = F.conv2d(x * mask, self.weight, None, self.stride, self.padding, self.dilation)
        out = raw * ratio
        if self.bias is not None:
            out = out + self.bias.view(1, -1, 1, 1) * updated
        if valid_mask.shape[1] != 1:
            updated = updated.expand(-1, self.out_channels, -1, -1)
        return out, updated
