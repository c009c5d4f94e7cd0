"""Atrous spatial pyramid pooling (Chen et al., DeepLab v3, 2017)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from restora.nn.norm import Norm, make_norm

__all__ = ["ASPP"]


def _branch(cin: int, cout: int, kernel_size: int, dilation: int, norm: Norm) -> nn.Sequential:
    pad = dilation * (kernel_size - 1) // 2
    conv = nn.Conv2d(cin, cout, kernel_size, padding=pad, dilation=dilation, bias=norm == "none")
    return nn.Sequential(conv, make_norm(norm, cout), nn.ReLU())


class ASPP(nn.Module):
    """Parallel branches fused by a 1x1 projection: a 1x1 conv, one 3x3 conv per atrous rate,
    and (``image_pooling=True``) global average pooling → 1x1 conv → broadcast to ``H x W``.

    Each branch is conv → norm → ReLU and gives ``out_channels``; the concatenation is projected
    back to ``out_channels`` (conv → norm → ReLU → dropout). The pooling branch has no norm: over a
    1x1 map BatchNorm with batch size 1 is undefined. ``rates`` default to DeepLab's (6, 12, 18)
    for output stride 16; use small rates (1, 2, 4) at the bottom of a small U-Net.
    Input ``(B, in_channels, H, W)``, output ``(B, out_channels, H, W)``.

    >>> tuple(ASPP(8, 4, rates=(1, 2))(torch.rand(2, 8, 5, 7)).shape)
    (2, 4, 5, 7)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        rates: Sequence[int] = (6, 12, 18),
        image_pooling: bool = True,
        norm: Norm = "batch",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        branches = [_branch(in_channels, out_channels, 1, 1, norm)]
        branches += [_branch(in_channels, out_channels, 3, r, norm) for r in rates]
        self.branches = nn.ModuleList(branches)
        self.pooling = (
            nn.Sequential(
                nn.AdaptiveAvgPool2d(1), nn.Conv2d(in_channels, out_channels, 1), nn.ReLU()
            )
            if image_pooling
            else None
        )
        count = len(branches) + (1 if image_pooling else 0)
        self.project = nn.Sequential(
            *_branch(count * out_channels, out_channels, 1, 1, norm), nn.Dropout(dropout)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outs = [branch(x) for branch in self.branches]
        if self.pooling is not None:
            pooled = self.pooling(x)
            outs.append(F.interpolate(pooled, size=x.shape[-2:], mode="nearest"))
        return self.project(torch.cat(outs, dim=1))
