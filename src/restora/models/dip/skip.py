"""The encoder-decoder "skip" network of Deep Image Prior (Ulyanov et al., CVPR 2018, supp. mat.).

One level ``i`` of ``len(channels_down)`` levels, applied to ``x`` with ``c`` channels::

    deeper = [conv k_down stride 2 -> BN -> act -> conv k_down -> BN -> act]   c -> down[i]
             -> level i+1 (absent at the deepest level) -> upsample x2 (nearest | bilinear)
    skip   = conv k_skip -> BN -> act                       c -> skip[i] (absent when 0)
    out    = BN(concat(skip, deeper)) -> conv k_up -> BN -> act [-> conv 1x1 -> BN -> act]

The deeper branch returns ``up[i+1]`` channels (``down[i]`` at the deepest level) and is cropped
to the level's input size before the concatenation, so any input size works: a stride-2 conv
gives ``ceil(n / 2)`` and the upsampling ``2 ceil(n / 2) >= n``. A last 1x1 conv maps ``up[0]``
to ``out_channels``, followed by a sigmoid by default. Convolutions pad by reflection
(``pad_mode="reflect"``, the official notebooks' choice) and the activation is
``LeakyReLU(0.2)``. Downsampling is a strided conv (``"stride"``) or a conv followed by 2x2
average / max pooling.

Reflection padding needs every feature map to be larger than the padding (and BatchNorm more
than one pixel at the deepest level); inputs smaller than :attr:`DIPSkip.min_size` are padded
(bottom/right, replicating) and the output is cropped back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.registry import architecture, build, register_model
from restora.nn.padding import crop_to, pad_to_multiple

__all__ = ["DIPSkip"]

_UPSAMPLE = ("nearest", "bilinear")
_DOWNSAMPLE = ("stride", "avg", "max")
_PADDING = ("reflect", "zeros")


def _conv(
    c_in: int, c_out: int, kernel: int, *, stride: int = 1, bias: bool, pad_mode: str
) -> nn.Conv2d:
    return nn.Conv2d(
        c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=bias, padding_mode=pad_mode
    )


def _unit(
    c_in: int, c_out: int, kernel: int, *, slope: float, bias: bool, pad_mode: str, **kw: Any
) -> list[nn.Module]:
    """conv -> BN -> LeakyReLU (with an optional pooling after the conv, see ``_Level``)."""
    pool = kw.pop("pool", None)
    layers: list[nn.Module] = [_conv(c_in, c_out, kernel, bias=bias, pad_mode=pad_mode, **kw)]
    if pool is not None:
        layers.append(pool)
    return [*layers, nn.BatchNorm2d(c_out), nn.LeakyReLU(slope)]


class _Level(nn.Module):
    """One encoder/decoder level; ``inner`` is the next level (None at the deepest)."""

    def __init__(
        self,
        *,
        c_in: int,
        down: int,
        up: int,
        skip: int,
        inner: _Level | None,
        inner_out: int,
        k_down: int,
        k_up: int,
        k_skip: int,
        upsample_mode: str,
        downsample_mode: str,
        need_1x1_up: bool,
        slope: float,
        bias: bool,
        pad_mode: str,
    ) -> None:
        super().__init__()
        common = {"slope": slope, "bias": bias, "pad_mode": pad_mode}
        if downsample_mode == "stride":
            first = _unit(c_in, down, k_down, stride=2, **common)
        else:
            pool_cls = nn.AvgPool2d if downsample_mode == "avg" else nn.MaxPool2d
            first = _unit(c_in, down, k_down, pool=pool_cls(2, 2, ceil_mode=True), **common)
        self.down = nn.Sequential(*first, *_unit(down, down, k_down, **common))
        self.inner = inner
        self.upsample_mode = upsample_mode
        self.skip = nn.Sequential(*_unit(c_in, skip, k_skip, **common)) if skip > 0 else None
        merged = skip + inner_out
        layers = [nn.BatchNorm2d(merged), *_unit(merged, up, k_up, **common)]
        if need_1x1_up:
            layers += _unit(up, up, 1, **common)
        self.up = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        deeper = self.down(x)
        if self.inner is not None:
            deeper = self.inner(deeper)
        align = False if self.upsample_mode == "bilinear" else None
        deeper = F.interpolate(
            deeper, scale_factor=2.0, mode=self.upsample_mode, align_corners=align
        )
        deeper = crop_to(deeper, h, w)
        merged = deeper if self.skip is None else torch.cat([self.skip(x), deeper], dim=1)
        return self.up(merged)


def _min_size(levels: int, pad: int) -> int:
    """Smallest side for which every feature map is wider than its reflection pad and the
    deepest map has more than one pixel (BatchNorm in training mode needs that for batch 1).

    Level ``i`` pads maps of its input size ``n_i`` and of ``n_{i+1} = ceil(n_i / 2)``, so the
    condition is ``ceil(s / 2**levels) > max(pad, 1)``.
    """
    return max(pad, 1) * 2**levels + 1


@architecture("dip_skip")
class DIPSkip(ConfigurableModel):
    """DIP's encoder-decoder with skip connections.

    Args:
        in_channels: channels of the fixed network input (32 noise planes, 2 for a meshgrid).
        out_channels: image channels (3 RGB, 1 gray).
        channels_down / channels_up / channels_skip: per-level widths, deepest level last, equal
            lengths (the number of levels); a skip width of 0 drops that level's skip branch.
        filter_size_down / filter_size_up / filter_size_skip: odd kernel sizes.
        upsample_mode: "nearest" or "bilinear".
        downsample_mode: "stride" (strided conv), "avg" or "max" (conv then 2x2 pooling).
        pad_mode: "reflect" (official notebooks) or "zeros".
        need_1x1_up: a 1x1 conv -> BN -> act after each decoder conv.
        negative_slope: LeakyReLU slope.
        bias: convolution biases.
        sigmoid: squash the output to (0, 1).

    Input ``(B, in_channels, H, W)`` float (any H, W >= 1); output ``(B, out_channels, H, W)``,
    in (0, 1) with ``sigmoid`` (the default). The network is meant to be fitted to one image in
    training mode (BatchNorm with batch statistics), as DIP does; it has no inference descriptor
    (it maps a fixed code, not an image, to an image).

    >>> net = DIPSkip(channels_down=[8, 8], channels_up=[8, 8], channels_skip=[2, 2])
    >>> tuple(net(torch.rand(1, 32, 13, 10)).shape)
    (1, 3, 13, 10)
    """

    def __init__(
        self,
        *,
        in_channels: int = 32,
        out_channels: int = 3,
        channels_down: Sequence[int] = (128, 128, 128, 128, 128),
        channels_up: Sequence[int] = (128, 128, 128, 128, 128),
        channels_skip: Sequence[int] = (4, 4, 4, 4, 4),
        filter_size_down: int = 3,
        filter_size_up: int = 3,
        filter_size_skip: int = 1,
        upsample_mode: str = "bilinear",
        downsample_mode: str = "stride",
        pad_mode: str = "reflect",
        need_1x1_up: bool = True,
        negative_slope: float = 0.2,
        bias: bool = True,
        sigmoid: bool = True,
    ) -> None:
        super().__init__()
        down, up, skip = list(channels_down), list(channels_up), list(channels_skip)
        if not down or not len(down) == len(up) == len(skip):
            raise ValueError(
                "channels_down, channels_up and channels_skip need the same non-zero length, "
                f"got {len(down)}, {len(up)}, {len(skip)}"
            )
        if min(down + up) < 1 or min(skip) < 0 or in_channels < 1 or out_channels < 1:
            raise ValueError("channel counts must be positive (skip widths may be 0)")
        kernels = (filter_size_down, filter_size_up, filter_size_skip)
        if any(k < 1 or k % 2 == 0 for k in kernels):
            raise ValueError(f"filter sizes must be odd and >= 1, got {kernels}")
        for value, allowed, name in (
            (upsample_mode, _UPSAMPLE, "upsample_mode"),
            (downsample_mode, _DOWNSAMPLE, "downsample_mode"),
            (pad_mode, _PADDING, "pad_mode"),
        ):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
        inner: _Level | None = None
        for i in reversed(range(len(down))):
            inner = _Level(
                c_in=in_channels if i == 0 else down[i - 1],
                down=down[i],
                up=up[i],
                skip=skip[i],
                inner=inner,
                inner_out=down[i] if i == len(down) - 1 else up[i + 1],
                k_down=filter_size_down,
                k_up=filter_size_up,
                k_skip=filter_size_skip,
                upsample_mode=upsample_mode,
                downsample_mode=downsample_mode,
                need_1x1_up=need_1x1_up,
                slope=negative_slope,
                bias=bias,
                pad_mode=pad_mode,
            )
        assert inner is not None
        self.body = inner
        self.head = nn.Conv2d(up[0], out_channels, 1, bias=bias)
        self.sigmoid = sigmoid
        pad = max(kernels) // 2 if pad_mode == "reflect" else 0
        self.min_size = _min_size(len(down), pad)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[-2:]
        if min(h, w) < self.min_size:
            x, _ = pad_to_multiple(x, minimum=self.min_size, mode="replicate")
        out = self.head(self.body(x))
        if self.sigmoid:
            out = torch.sigmoid(out)
        return crop_to(out, h, w)


@register_model("dip.skip")
def dip_skip(**overrides: Any) -> DIPSkip:
    """The paper's main network (denoising, super-resolution, restoration): 5 levels of 128
    channels, 4-channel skips, bilinear upsampling, 32 input planes, ~2.2 M parameters."""
    return build(DIPSkip, overrides)


@register_model("dip.skip_inpaint")
def dip_skip_inpaint(**overrides: Any) -> DIPSkip:
    """The text-inpainting network (kate.png): 128 channels and 128-channel skips at all 5
    levels, nearest upsampling."""
    return build(DIPSkip, overrides, channels_skip=[128] * 5, upsample_mode="nearest")


@register_model("dip.skip_fast")
def dip_skip_fast(**overrides: Any) -> DIPSkip:
    """restora's CPU default: the same 5-level layout with a channel pyramid
    ``[32, 64, 64, 128, 128]`` (the full-resolution decoder conv dominates the paper network's
    cost: this one needs about a fifth of its multiply-adds) and 4-channel skips."""
    widths = [32, 64, 64, 128, 128]
    return build(DIPSkip, overrides, channels_down=widths, channels_up=widths)
