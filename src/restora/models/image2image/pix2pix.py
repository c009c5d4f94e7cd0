"""The pix2pix U-Net generator (Isola et al., "Image-to-Image Translation with Conditional
Adversarial Networks", CVPR 2017, appendix 6.1.1).

With ``width = 64`` and ``num_downs = 8``:
encoder ``C64-C128-C256-C512-C512-C512-C512-C512``, decoder ``CD512-CD512-CD512-C512-C256-C128-C64``
with U-Net skips (decoder layer ``i`` also sees the mirrored encoder layer), then a final
transposed convolution to ``out_channels``. ``Ck`` = 4x4 convolution, stride 2 - BatchNorm -
activation (LeakyReLU 0.2 in the encoder, ReLU in the decoder); ``CDk`` adds dropout 0.5.

Choices, documented:
- No BatchNorm on the first encoder layer (as in the paper) nor on the innermost one (as in the
  authors' code: its map is 1x1, where BatchNorm with batch size 1 is undefined).
- The output goes through a **sigmoid**, so images are in [0, 1] (restora's tensor contract)
  instead of the paper's tanh in [-1, 1]. Inputs are taken in [0, 1] as they are.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.registry import architecture, build, register_model
from restora.nn.padding import crop_to, pad_to_multiple

__all__ = ["Pix2PixGenerator"]


def _down(cin: int, cout: int, *, norm: bool) -> nn.Sequential:
    conv = nn.Conv2d(cin, cout, 4, stride=2, padding=1, bias=not norm)
    bn = nn.BatchNorm2d(cout) if norm else nn.Identity()
    return nn.Sequential(conv, bn, nn.LeakyReLU(0.2))


def _up(cin: int, cout: int, *, dropout: float) -> nn.Sequential:
    conv = nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1, bias=False)
    drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
    return nn.Sequential(conv, nn.BatchNorm2d(cout), drop, nn.ReLU())


@architecture("pix2pix")
class Pix2PixGenerator(ConfigurableModel):
    """pix2pix U-Net generator; widths ``min(width * 2**i, 8 * width)``.

    Input ``(B, in_channels, H, W)`` in [0, 1], any size: reflect-padded to a multiple of
    ``2**num_downs`` (256 by default) and cropped back. Output ``(B, out_channels, H, W)`` in
    [0, 1]. Dropout (``dropout``, 0.5) acts on the first three decoder layers in train mode only.

    >>> g = Pix2PixGenerator(width=4, num_downs=5)
    >>> tuple(g(torch.rand(1, 3, 37, 29)).shape)
    (1, 3, 37, 29)
    """

    def __init__(
        self,
        *,
        in_channels: int = 3,
        out_channels: int = 3,
        width: int = 64,
        num_downs: int = 8,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        if num_downs < 2:
            raise ValueError(f"num_downs must be >= 2, got {num_downs}")
        enc = [min(width * 2**i, 8 * width) for i in range(num_downs)]
        self.num_downs = num_downs
        self.encoder = nn.ModuleList(
            _down(in_channels if i == 0 else enc[i - 1], enc[i], norm=0 < i < num_downs - 1)
            for i in range(num_downs)
        )
        decoder = []
        for j in range(num_downs - 1):
            cin = enc[-1] if j == 0 else 2 * enc[-1 - j]
            decoder.append(_up(cin, enc[-2 - j], dropout=dropout if j < 3 else 0.0))
        self.decoder = nn.ModuleList(decoder)
        self.head = nn.Sequential(
            nn.ConvTranspose2d(2 * enc[0], out_channels, 4, stride=2, padding=1), nn.Sigmoid()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, (h, w) = pad_to_multiple(x, multiple_of=2**self.num_downs)
        skips = []
        for layer in self.encoder:
            x = layer(x)
            skips.append(x)
        y = self.decoder[0](skips[-1])
        for j, layer in enumerate(self.decoder[1:], start=1):
            y = layer(torch.cat([y, skips[-1 - j]], dim=1))
        return crop_to(self.head(torch.cat([y, skips[0]], dim=1)), h, w)

    def describe(self) -> ModelDescriptor:
        cfg = self._config
        return ModelDescriptor(
            model=self,
            purpose="image2image",
            in_channels=cfg["in_channels"],
            out_channels=cfg["out_channels"],
            tile_size=512,
            tile_overlap=64,
        )


@register_model("pix2pix.unet256")
def pix2pix_unet256(**overrides: Any) -> Pix2PixGenerator:
    """The paper's 256x256 generator: width 64, 8 downsamplings, RGB → RGB."""
    return build(Pix2PixGenerator, overrides, width=64, num_downs=8)
