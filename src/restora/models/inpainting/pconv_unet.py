"""Partial-convolution U-Net (Liu et al., "Image Inpainting for Irregular Holes Using Partial
Convolutions", ECCV 2018).

Encoder: ``depth`` partial convolutions with stride 2 (kernels 7, 5, 5, 3, 3, ...; widths
``min(width * 2**i, 8 * width)``), ReLU, BatchNorm except on the first and the innermost layer
(whose map is 1x1 for a ``2**depth`` input: BatchNorm with batch size 1 is undefined there). Decoder: nearest ×2
upsampling of features *and* masks, concatenation with the mirrored encoder output (the last
step with the input image and mask), partial conv 3x3, BatchNorm + LeakyReLU(0.2) except on the
last layer. Masks are carried per channel, so concatenation is exact. The paper's model is
``depth=8, width=64`` for 512x512 images.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.inpainting.describe import inpaint_descriptor
from restora.models.registry import architecture, build, register_model
from restora.nn.padding import crop_to, pad_to_multiple
from restora.nn.partial_conv import PartialConv2d

__all__ = ["PConvUNet"]

Pair = tuple[torch.Tensor, torch.Tensor]


class _PConvLayer(nn.Module):
    def __init__(self, cin: int, cout: int, k: int, stride: int, *, bn: bool, act: nn.Module):
        super().__init__()
        self.conv = PartialConv2d(cin, cout, k, stride=stride, padding=k // 2, bias=not bn)
        self.norm = nn.BatchNorm2d(cout) if bn else nn.Identity()
        self.act = act

    def forward(self, x: torch.Tensor, valid: torch.Tensor) -> Pair:
        y, valid = self.conv(x, valid)
        return self.act(self.norm(y)), valid


@architecture("pconv_unet")
class PConvUNet(ConfigurableModel):
    """``forward(image, mask)``: ``image`` ``(B, channels, H, W)`` in [0, 1], ``mask``
    ``(B, 1, H, W)`` with **1 = hole** (restora's contract; converted to the partial
    convolutions' valid mask inside). Any size: both are reflect-padded to a multiple of
    ``2**depth`` and the output cropped back. Returns the raw prediction ``(B, channels, H, W)``
    for every pixel (not composited, not clamped; losses use it and the composite).

    >>> net = PConvUNet(width=4, depth=3)
    >>> tuple(net(torch.rand(1, 3, 37, 29), torch.zeros(1, 1, 37, 29)).shape)
    (1, 3, 37, 29)
    """

    def __init__(self, *, channels: int = 3, width: int = 64, depth: int = 8) -> None:
        super().__init__()
        if depth < 1:
            raise ValueError(f"depth must be >= 1, got {depth}")
        widths = [min(width * 2**i, 8 * width) for i in range(depth)]
        kernels = [7, 5, 5] + [3] * max(depth - 3, 0)
        self.depth = depth
        self.encoder = nn.ModuleList(
            _PConvLayer(
                channels if i == 0 else widths[i - 1],
                widths[i],
                kernels[i],
                2,
                bn=0 < i < depth - 1,
                act=nn.ReLU(),
            )
            for i in range(depth)
        )
        skips = [channels, *widths[:-1]]  # what each decoder step concatenates, deepest last
        decoder = []
        for j in range(depth):
            level = depth - 1 - j
            last = level == 0
            cout = channels if last else widths[level - 1]
            act: nn.Module = nn.Identity() if last else nn.LeakyReLU(0.2)
            decoder.append(
                _PConvLayer(widths[level] + skips[level], cout, 3, 1, bn=not last, act=act)
            )
        self.decoder = nn.ModuleList(decoder)

    def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        image, (h, w) = pad_to_multiple(image, multiple_of=2**self.depth)
        mask, _ = pad_to_multiple(mask, multiple_of=2**self.depth)
        valid = (1.0 - mask).expand(-1, image.shape[1], -1, -1)
        skips: list[Pair] = [(image, valid)]
        x = image
        for layer in self.encoder:
            x, valid = layer(x, valid)
            skips.append((x, valid))
        skips.pop()
        for layer in self.decoder:
            skip_x, skip_valid = skips.pop()
            x = torch.cat([F.interpolate(x, scale_factor=2.0, mode="nearest"), skip_x], dim=1)
            valid = torch.cat(
                [F.interpolate(valid, scale_factor=2.0, mode="nearest"), skip_valid], dim=1
            )
            x, valid = layer(x, valid)
        return crop_to(x, h, w)

    def describe(self) -> ModelDescriptor:
        return inpaint_descriptor(self)


@register_model("pconv_unet.base")
def pconv_unet_base(**overrides: Any) -> PConvUNet:
    """The paper's network: 8 levels, width 64 (512x512 training crops), RGB."""
    return build(PConvUNet, overrides, channels=3, width=64, depth=8)
