"""A single-stage gated-convolution inpainting network in the style of DeepFill v2's coarse
stage (Yu et al., "Free-Form Image Inpainting with Gated Convolution", ICCV 2019)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.registry import architecture, build, register_model
from restora.nn.gated_conv import GatedConv2d
from restora.nn.padding import crop_to, pad_to_multiple

__all__ = ["GatedInpaintNet"]


@architecture("gated_net")
class GatedInpaintNet(ConfigurableModel):
    """Encoder (two stride-2 gated convs) → gated convs with ``dilations`` → decoder (nearest ×2
    + gated conv, twice) → 3x3 conv to ``channels``. Gated convs use ELU as φ.

    The input is ``image * (1 - mask)`` concatenated with ``mask``. ``forward(image, mask)``:
    ``image`` ``(B, channels, H, W)`` in [0, 1], ``mask`` ``(B, 1, H, W)``, **1 = hole**; any size
    (reflect-padded to a multiple of 4, cropped back). Returns the raw prediction
    ``(B, channels, H, W)`` (not composited, not clamped).

    >>> net = GatedInpaintNet(width=4, dilations=(2,))
    >>> tuple(net(torch.rand(1, 3, 37, 29), torch.zeros(1, 1, 37, 29)).shape)
    (1, 3, 37, 29)
    """

    def __init__(
        self,
        *,
        channels: int = 3,
        width: int = 32,
        dilations: Sequence[int] = (2, 4, 8, 16),
        spectral_norm: bool = False,
    ) -> None:
        super().__init__()
        w, sn = width, spectral_norm

        def gated(
            cin: int, cout: int, k: int = 3, stride: int = 1, dilation: int = 1
        ) -> GatedConv2d:
            return GatedConv2d(cin, cout, k, stride, dilation=dilation, spectral_norm=sn)

        self.encoder = nn.Sequential(
            gated(channels + 1, w, 5),
            gated(w, 2 * w, 3, 2),
            gated(2 * w, 2 * w),
            gated(2 * w, 4 * w, 3, 2),
            gated(4 * w, 4 * w),
        )
        self.middle = nn.Sequential(*(gated(4 * w, 4 * w, dilation=d) for d in dilations))
        self.decoder = nn.Sequential(
            gated(4 * w, 4 * w),
            nn.Upsample(scale_factor=2, mode="nearest"),
            gated(4 * w, 2 * w),
            gated(2 * w, 2 * w),
            nn.Upsample(scale_factor=2, mode="nearest"),
            gated(2 * w, w),
            gated(w, max(w // 2, 1)),
            nn.Conv2d(max(w // 2, 1), channels, 3, padding=1),
        )

    def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        image, (h, w) = pad_to_multiple(image, multiple_of=4)
        mask, _ = pad_to_multiple(mask, multiple_of=4)
        x = torch.cat([image * (1.0 - mask), mask], dim=1)
        return crop_to(self.decoder(self.middle(self.encoder(x))), h, w)

    def describe(self) -> ModelDescriptor:
        channels = self._config["channels"]
        return ModelDescriptor(
            model=self,
            purpose="inpaint",
            in_channels=channels,
            out_channels=channels,
            tile_size=None,
        )


@register_model("gated_net.base")
def gated_net_base(**overrides: Any) -> GatedInpaintNet:
    """Width 32, dilations 2-4-8-16, RGB, no spectral norm (DeepFill v2 coarse-stage layout)."""
    return build(GatedInpaintNet, overrides, channels=3, width=32)
