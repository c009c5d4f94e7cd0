"""restora's own efficient super-resolution network for the CPU (RLFN / RFDN family).

Why this shape: on a CPU the cost of an SR network is its convolutions times the number of pixels
they run on, so every layer here runs at the *low* resolution and the image is enlarged only by
the final pixel shuffle (ESPCN). The body follows the residual local feature blocks of RLFN
(Kong et al., "Residual Local Feature Network for Efficient Super-Resolution", CVPRW 2022), the
NTIRE 2022 efficiency winner that simplified RFDN's feature distillation to three shallow 3x3
convolutions with a residual, followed by a 1x1 fusion and an enhanced spatial attention (ESA,
Liu et al., RFDN, ECCVW 2020).

Layout (``C`` image channels, ``w`` = ``width``, ``s`` = ``scale``)::

    x (B, C, h, w) --> conv3x3 (C -> w) = f0                                   head
    f = f0 -> blocks x RLFB(w) -> conv3x3 (w -> w) + f0                         body
    conv3x3 (w -> C s^2) -> PixelShuffle(s) = r  (B, C, s h, s w)               upsampler
    output = r + upsample(x)      (``skip``: bicubic, nearest or none)

RLFB: ``y = ESA(conv1x1(x + act(conv3x3(act(conv3x3(act(conv3x3(x))))))))``, ``act`` =
LeakyReLU(0.05).

ESA here is *stride-free*: the original (RFDN/RLFN) reaches a large receptive field with a
stride-2 convolution and a stride-3 max pool, whose sampling grid depends on where the image (or
a tile) starts, so a tiled result differs from the whole-image one everywhere, not only at tile
seams. This version reduces to ``esa_channels`` (1x1), then uses a 3x3 conv, a 7x7 stride-1 max
pool and a 3x3 conv of dilation 3 (receptive field 17 px) at those few channels, adds the 1x1
"conv_f" branch, expands (1x1) and gates with a sigmoid. Everything is translation-equivariant,
so tiles with enough overlap reproduce the untiled output.

The global skip (bicubic by default) makes the network learn only the detail bicubic misses, and
the last convolution starts at zero, so a fresh model *is* bicubic interpolation. Training
converges much faster from that start, which matters on a CPU budget.
"""

from __future__ import annotations

from typing import Any, Literal

import torch
import torch.nn.functional as F
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.registry import architecture, build, register_model

__all__ = ["ESA", "RLFB", "RestoraSR"]

Skip = Literal["bicubic", "nearest", "none"]
_SKIPS = ("bicubic", "nearest", "none")
_SLOPE = 0.05


class ESA(nn.Module):
    """Stride-free enhanced spatial attention: ``x * sigmoid(mask(x))`` (shape kept).

    ``mask``: 1x1 (width -> f) = r; 3x3 -> max pool 7x7 (stride 1) -> 3x3 dilation 3 -> + 1x1(r)
    -> 1x1 (f -> width).
    """

    def __init__(self, width: int, reduced: int) -> None:
        super().__init__()
        self.reduce = nn.Conv2d(width, reduced, 1)
        self.conv1 = nn.Conv2d(reduced, reduced, 3, padding=1)
        self.conv2 = nn.Conv2d(reduced, reduced, 3, padding=3, dilation=3)
        self.conv_f = nn.Conv2d(reduced, reduced, 1)
        self.expand = nn.Conv2d(reduced, width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r = self.reduce(x)
        m = self.conv1(r)  # 7x7 max pool as 7x1 then 1x7 (identical result, ~3x cheaper)
        m = F.max_pool2d(F.max_pool2d(m, (7, 1), stride=1, padding=(3, 0)), (1, 7), 1, (0, 3))
        m = self.conv2(F.leaky_relu(m, _SLOPE))
        return x * torch.sigmoid(self.expand(m + self.conv_f(r)))


class RLFB(nn.Module):
    """Residual local feature block: three 3x3 conv + LeakyReLU, residual, 1x1 fusion, ESA."""

    def __init__(self, width: int, esa_channels: int) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(width, width, 3, padding=1) for _ in range(3))
        self.fuse = nn.Conv2d(width, width, 1)
        self.esa = ESA(width, esa_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        for conv in self.convs:
            y = F.leaky_relu(conv(y), _SLOPE)
        return self.esa(self.fuse(y + x))


@architecture("restora_sr")
class RestoraSR(ConfigurableModel):
    """restora's efficient CPU super-resolution network (see the module docstring for the
    layout).

    Args:
        scale: upscaling factor (2, 3, 4, ...).
        channels: image channels in and out (3 = RGB).
        width: feature channels of the body.
        blocks: number of residual local feature blocks.
        esa_channels: channels inside each block's spatial attention.
        skip: the image added to the network's residual: ``bicubic`` (PyTorch bicubic,
            ``align_corners=False``), ``nearest`` or ``none``.

    Input ``(B, channels, h, w)`` float in [0, 1], any size >= 1; output
    ``(B, channels, scale*h, scale*w)``, not clamped (the descriptor clamps).

    >>> net = RestoraSR(scale=2, width=8, blocks=1, esa_channels=4)
    >>> tuple(net(torch.rand(1, 3, 7, 5)).shape)
    (1, 3, 14, 10)
    """

    def __init__(
        self,
        *,
        scale: int = 4,
        channels: int = 3,
        width: int = 48,
        blocks: int = 6,
        esa_channels: int = 16,
        skip: Skip = "bicubic",
    ) -> None:
        super().__init__()
        if scale < 1:
            raise ValueError(f"scale must be >= 1, got {scale}")
        if channels < 1 or width < 1 or esa_channels < 1 or blocks < 0:
            raise ValueError(
                "channels, width and esa_channels must be >= 1 and blocks >= 0, got "
                f"{channels}, {width}, {esa_channels}, {blocks}"
            )
        if skip not in _SKIPS:
            raise ValueError(f"skip must be one of {', '.join(_SKIPS)}, got {skip!r}")
        self.scale, self.skip = scale, skip
        self.head = nn.Conv2d(channels, width, 3, padding=1)
        self.body = nn.Sequential(*[RLFB(width, esa_channels) for _ in range(blocks)])
        self.body_conv = nn.Conv2d(width, width, 3, padding=1)
        self.upsampler = nn.Sequential(
            nn.Conv2d(width, channels * scale * scale, 3, padding=1), nn.PixelShuffle(scale)
        )
        if skip != "none":  # start as plain interpolation: the residual begins at zero
            nn.init.zeros_(self.upsampler[0].weight)
            nn.init.zeros_(self.upsampler[0].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.head.weight.is_contiguous(memory_format=torch.channels_last):
            x = x.contiguous(memory_format=torch.channels_last)  # weights converted for CPU speed
        f0 = self.head(x)
        residual = self.upsampler(self.body_conv(self.body(f0)) + f0)
        if self.skip == "none":
            return residual
        if self.skip == "nearest":
            base = F.interpolate(x, scale_factor=self.scale, mode="nearest")
        else:
            base = F.interpolate(x, scale_factor=self.scale, mode="bicubic", align_corners=False)
        return (residual + base).contiguous()

    def describe(self) -> ModelDescriptor:
        cfg = self._config
        # receptive field: about 3 + blocks * 11 low-resolution pixels on each side
        return ModelDescriptor(
            model=self,
            purpose="sr",
            scale=cfg["scale"],
            in_channels=cfg["channels"],
            out_channels=cfg["channels"],
            tile_size=256,
            tile_overlap=32,
        )


@register_model("restora_sr.x2")
def restora_sr_x2(**overrides: Any) -> RestoraSR:
    """restora SR x2, RGB: width 48, 6 blocks, ESA 16, bicubic skip."""
    return build(RestoraSR, overrides, scale=2)


@register_model("restora_sr.x3")
def restora_sr_x3(**overrides: Any) -> RestoraSR:
    """restora SR x3, RGB: width 48, 6 blocks, ESA 16, bicubic skip."""
    return build(RestoraSR, overrides, scale=3)


@register_model("restora_sr.x4")
def restora_sr_x4(**overrides: Any) -> RestoraSR:
    """restora SR x4, RGB: width 48, 6 blocks, ESA 16, bicubic skip."""
    return build(RestoraSR, overrides, scale=4)
