"""Configurable U-Net (Ronneberger et al. 2015) for segmentation and image-to-image tasks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import torch
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.registry import architecture, build, register_model
from restora.nn.aspp import ASPP
from restora.nn.conv_block import ConvNormAct
from restora.nn.dilated import DilatedConvBlock
from restora.nn.norm import Norm
from restora.nn.padding import crop_to, pad_to_multiple

__all__ = ["UNet"]

Bottleneck = Literal["none", "dilated", "aspp"]


def _double_conv(cin: int, cout: int, norm: Norm) -> nn.Sequential:
    return nn.Sequential(
        ConvNormAct(cin, cout, norm=norm, activation="relu"),
        ConvNormAct(cout, cout, norm=norm, activation="relu"),
    )


class _Up(nn.Module):
    """Upsample ×2 halving channels, concatenate the skip, double conv."""

    def __init__(self, cin: int, cskip: int, norm: Norm, mode: str) -> None:
        super().__init__()
        if mode == "transposed":
            self.up: nn.Module = nn.ConvTranspose2d(cin, cskip, 2, stride=2)
        else:
            self.up = nn.Sequential(
                nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                nn.Conv2d(cin, cskip, 1),
            )
        self.conv = _double_conv(2 * cskip, cskip, norm)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return self.conv(torch.cat([self.up(x), skip], dim=1))


@architecture("unet")
class UNet(ConfigurableModel):
    """U-Net: ``depth`` ×2 downsamplings, widths ``width * 2**i``, skip connections.

    Input ``(B, in_channels, H, W)`` float of any size: it is reflect-padded to a multiple of
    ``2**depth`` (and to at least ``2**(depth+1)``, so the deepest map is at least 2x2, where
    normalization is defined) and the output cropped back, so no size raises. Output
    ``(B, out_channels, H, W)``: logits with ``out_activation="none"`` (segmentation training
    with a with-logits loss), or in [0, 1] with ``"sigmoid"`` (image-to-image).

    ``bottleneck`` adds context at the lowest resolution: ``"dilated"`` (residual stack of dilated
    3x3 convs with ``bottleneck_rates``) or ``"aspp"`` (ASPP with those rates, and image pooling
    unless ``aspp_pooling=False``: without it the network is a local operator, so tiles whose
    starts are multiples of ``2**depth`` give the same result as the whole image).
    ``norm`` is ``batch``, ``instance``, ``group`` or ``none``; ``upsampling`` is ``bilinear``
    (resize + 1x1 conv) or ``transposed``.

    >>> net = UNet(in_channels=3, out_channels=1, width=8, depth=2)
    >>> tuple(net(torch.rand(1, 3, 37, 29)).shape)
    (1, 1, 37, 29)
    """

    def __init__(
        self,
        *,
        in_channels: int = 3,
        out_channels: int = 1,
        width: int = 32,
        depth: int = 4,
        norm: Norm = "batch",
        bottleneck: Bottleneck = "none",
        bottleneck_rates: Sequence[int] = (1, 2, 4),
        aspp_pooling: bool = True,
        upsampling: Literal["bilinear", "transposed"] = "bilinear",
        out_activation: Literal["none", "sigmoid"] = "none",
    ) -> None:
        super().__init__()
        if depth < 1:
            raise ValueError(f"depth must be >= 1, got {depth}")
        widths = [width * 2**i for i in range(depth + 1)]
        self.depth = depth
        self.stem = _double_conv(in_channels, widths[0], norm)
        self.down = nn.ModuleList(
            nn.Sequential(nn.MaxPool2d(2), _double_conv(widths[i], widths[i + 1], norm))
            for i in range(depth)
        )
        deepest = widths[-1]
        if bottleneck == "dilated":
            self.bottleneck: nn.Module = DilatedConvBlock(
                deepest, dilations=bottleneck_rates, norm=norm, residual=True
            )
        elif bottleneck == "aspp":
            self.bottleneck = ASPP(
                deepest, deepest, rates=bottleneck_rates, norm=norm, image_pooling=aspp_pooling
            )
        elif bottleneck == "none":
            self.bottleneck = nn.Identity()
        else:
            raise ValueError(f"bottleneck must be none, dilated or aspp, got {bottleneck!r}")
        self.up = nn.ModuleList(
            _Up(widths[i + 1], widths[i], norm, upsampling) for i in reversed(range(depth))
        )
        self.head = nn.Conv2d(widths[0], out_channels, 1)
        self.out_activation = nn.Sigmoid() if out_activation == "sigmoid" else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, (h, w) = pad_to_multiple(x, multiple_of=2**self.depth, minimum=2 ** (self.depth + 1))
        skips = [self.stem(x)]
        for down in self.down:
            skips.append(down(skips[-1]))
        y = self.bottleneck(skips.pop())
        for up in self.up:
            y = up(y, skips.pop())
        return crop_to(self.out_activation(self.head(y)), h, w)

    def describe(self, purpose: Literal["segment", "image2image"] = "segment") -> ModelDescriptor:
        """Descriptor; for ``segment`` with logits output, sigmoid (1 class) or softmax is applied."""
        cfg = self._config
        activation = "identity"
        if purpose == "segment" and cfg["out_activation"] == "none":
            activation = "sigmoid" if cfg["out_channels"] == 1 else "softmax"
        return ModelDescriptor(
            model=self,
            purpose=purpose,
            in_channels=cfg["in_channels"],
            out_channels=cfg["out_channels"],
            tile_size=512,
            tile_overlap=64,
            output_activation=activation,
        )


@register_model("unet.segment")
def unet_segment(**overrides: Any) -> UNet:
    """Damage segmentation: RGB in, 1-channel logits out, width 32, depth 4."""
    return build(UNet, overrides, in_channels=3, out_channels=1, width=32, depth=4)


@register_model("unet.segment_aspp")
def unet_segment_aspp(**overrides: Any) -> UNet:
    """As ``unet.segment`` with an ASPP bottleneck (rates 1, 2, 4) for wider context."""
    return build(UNet, overrides, in_channels=3, out_channels=1, bottleneck="aspp")


@register_model("unet.damage")
def unet_damage(**overrides: Any) -> UNet:
    """Damage detection on CPU: RGB in, 1-channel logits out, width 16, depth 3 (0.45 M
    parameters, total stride 8)."""
    return build(UNet, overrides, in_channels=3, out_channels=1, width=16, depth=3)


@register_model("unet.damage_aspp")
def unet_damage_aspp(**overrides: Any) -> UNet:
    """As ``unet.damage`` with an ASPP bottleneck (rates 2, 4, 8 at 1/8 resolution: context of
    ~130 px more) and no image pooling, so it stays local and tiles exactly (1.0 M parameters)."""
    return build(
        UNet,
        overrides,
        in_channels=3,
        out_channels=1,
        width=16,
        depth=3,
        bottleneck="aspp",
        bottleneck_rates=(2, 4, 8),
        aspp_pooling=False,
    )


@register_model("unet.image2image")
def unet_image2image(**overrides: Any) -> UNet:
    """RGB → RGB in [0, 1] (sigmoid), dilated bottleneck; e.g. edges2image or colorization."""
    return build(
        UNet,
        overrides,
        in_channels=3,
        out_channels=3,
        bottleneck="dilated",
        out_activation="sigmoid",
    )
