"""ESPCN (Shi et al., "Real-Time Single Image and Video Super-Resolution Using an Efficient
Sub-Pixel Convolutional Neural Network", CVPR 2016)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.registry import architecture, build, register_model

__all__ = ["ESPCN"]


@architecture("espcn")
class ESPCN(ConfigurableModel):
    """``conv5x5(width) → tanh → conv3x3(width/2) → tanh → conv3x3(scale² · channels) →
    PixelShuffle(scale)``, all at low resolution (the paper's 64-32 widths by default).

    The paper works on the Y channel (``channels=1``); restora defaults to RGB. The output is
    linear (the descriptor clamps to [0, 1]). Input ``(B, channels, H, W)`` in [0, 1], output
    ``(B, channels, scale*H, scale*W)``.

    >>> tuple(ESPCN(scale=3, width=8)(torch.rand(1, 3, 7, 5)).shape)
    (1, 3, 21, 15)
    """

    def __init__(self, *, scale: int = 3, channels: int = 3, width: int = 64) -> None:
        super().__init__()
        half = max(width // 2, 1)
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 5, padding=2),
            nn.Tanh(),
            nn.Conv2d(width, half, 3, padding=1),
            nn.Tanh(),
        )
        self.subpixel = nn.Sequential(
            nn.Conv2d(half, scale * scale * channels, 3, padding=1), nn.PixelShuffle(scale)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.subpixel(self.features(x))

    def describe(self) -> ModelDescriptor:
        cfg = self._config
        return ModelDescriptor(
            model=self,
            purpose="sr",
            scale=cfg["scale"],
            in_channels=cfg["channels"],
            out_channels=cfg["channels"],
            tile_size=512,
            tile_overlap=16,
        )


@register_model("espcn.x2")
def espcn_x2(**overrides: Any) -> ESPCN:
    """ESPCN ×2, RGB, widths 64-32."""
    return build(ESPCN, overrides, scale=2)


@register_model("espcn.x3")
def espcn_x3(**overrides: Any) -> ESPCN:
    """ESPCN ×3, RGB, widths 64-32."""
    return build(ESPCN, overrides, scale=3)


@register_model("espcn.x4")
def espcn_x4(**overrides: Any) -> ESPCN:
    """ESPCN ×4, RGB, widths 64-32."""
    return build(ESPCN, overrides, scale=4)
