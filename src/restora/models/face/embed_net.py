"""restora's face embedding network: a small residual CNN mapping an aligned gray face crop to
a unit-length identity vector (FaceNet-style; trained with the triplet loss by
:mod:`restora.train.face_triplet`).

Gray input on purpose: old photographs are monochrome, sepia or colour-shifted, so identity must
not hang on colour.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.registry import architecture, build, register_model

__all__ = ["FaceEmbedNet"]


class _Block(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.skip = (
            nn.Identity()
            if stride == 1 and cin == cout
            else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.skip(x))


@architecture("face_embed")
class FaceEmbedNet(ConfigurableModel):
    """``(B, 1, size, size)`` gray aligned face in [0, 1] → ``(B, dim)`` unit vectors.

    A stride-2 stem, then one residual block per width in ``widths`` (each halving the size),
    global average pooling, dropout and a linear projection, L2-normalised.

    >>> net = FaceEmbedNet(widths=[8, 16], dim=4)
    >>> tuple(net(torch.rand(2, 1, 64, 64)).shape)
    (2, 4)
    """

    def __init__(
        self,
        *,
        size: int = 64,
        widths: list[int] = (32, 64, 128, 256),  # type: ignore[assignment]
        dim: int = 128,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        widths = list(widths)
        if size < 2 ** (len(widths) + 1):
            raise ValueError(f"size {size} is too small for {len(widths)} stages")
        self.stem = nn.Sequential(
            nn.Conv2d(1, widths[0], 3, 2, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU()
        )
        blocks = []
        cin = widths[0]
        for i, width in enumerate(widths):
            blocks.append(_Block(cin, width, 1 if i == 0 else 2))
            cin = width
        self.blocks = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(dropout)
        self.project = nn.Linear(cin, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.stem((x - 0.5) / 0.25))
        x = self.dropout(x.mean(dim=(2, 3)))
        return F.normalize(self.project(x), dim=1)


@register_model("face_embed.small")
def face_embed_small(**overrides: Any) -> FaceEmbedNet:
    """64x64 gray input, widths 32-64-128-256, 128-d embedding (about 1.2 M parameters)."""
    return build(FaceEmbedNet, overrides)
