"""FSRCNN (Dong et al., "Accelerating the Super-Resolution Convolutional Neural Network",
ECCV 2016): FSRCNN(d=56, s=12, m=4) by default."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.registry import architecture, build, register_model
from restora.nn.upsample import TransposedConvUpsampler

__all__ = ["FSRCNN"]


def _conv(cin: int, cout: int, k: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=k // 2), nn.PReLU(cout))


@architecture("fsrcnn")
class FSRCNN(ConfigurableModel):
    """Feature extraction ``conv5x5(d)``, shrinking ``conv1x1(s)``, ``m`` × mapping
    ``conv3x3(s)``, expanding ``conv1x1(d)`` (each followed by a per-channel PReLU), then a 9x9
    transposed convolution with stride ``scale`` (padding 4, output padding ``scale - 1``).

    ``width`` = d, ``shrink`` = s, ``mapping_layers`` = m. Input ``(B, channels, H, W)`` in
    [0, 1]; output ``(B, channels, scale*H, scale*W)``, linear (the descriptor clamps).

    >>> tuple(FSRCNN(scale=3, width=8, shrink=4, mapping_layers=1)(torch.rand(1, 3, 7, 5)).shape)
    (1, 3, 21, 15)
    """

    def __init__(
        self,
        *,
        scale: int = 2,
        channels: int = 3,
        width: int = 56,
        shrink: int = 12,
        mapping_layers: int = 4,
    ) -> None:
        super().__init__()
        self.extract = _conv(channels, width, 5)
        self.shrink = _conv(width, shrink, 1)
        self.mapping = nn.Sequential(*(_conv(shrink, shrink, 3) for _ in range(mapping_layers)))
        self.expand = _conv(shrink, width, 1)
        self.deconv = TransposedConvUpsampler(width, channels, scale, kernel_size=9)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.deconv(self.expand(self.mapping(self.shrink(self.extract(x)))))

    def describe(self) -> ModelDescriptor:
        cfg = self._config
        radius = 2 + cfg["mapping_layers"] + 5
        return ModelDescriptor(
            model=self,
            purpose="sr",
            scale=cfg["scale"],
            in_channels=cfg["channels"],
            out_channels=cfg["channels"],
            tile_size=512,
            tile_overlap=4 * radius,
        )


@register_model("fsrcnn.x2")
def fsrcnn_x2(**overrides: Any) -> FSRCNN:
    """FSRCNN(56, 12, 4) ×2, RGB."""
    return build(FSRCNN, overrides, scale=2)


@register_model("fsrcnn.x3")
def fsrcnn_x3(**overrides: Any) -> FSRCNN:
    """FSRCNN(56, 12, 4) ×3, RGB."""
    return build(FSRCNN, overrides, scale=3)


@register_model("fsrcnn.x4")
def fsrcnn_x4(**overrides: Any) -> FSRCNN:
    """FSRCNN(56, 12, 4) ×4, RGB."""
    return build(FSRCNN, overrides, scale=4)
