"""restora's own blind denoiser: a small residual U-Net working below full resolution.

Why this shape: a CPU spends most of a denoiser's time in full-resolution 3x3 convolutions
(CDnCNN-B: 20 of them at 64 channels, ~0.67 M multiply-adds per pixel). Here the image is
pixel-unshuffled x2 first (FFDNet), then a U-Net of ``levels`` scales doubles the width at each
halving, so every 3x3 convolution costs about the same ``width**2 * 9 / 4`` per input pixel while
the receptive field grows geometrically - what blind denoising at high sigma needs.

Layout (``C`` image channels, ``w`` = ``width``, ``n_i`` = ``blocks[i]``)::

    x (B, C, H, W) --reflect pad to a multiple of 2**levels--
    unshuffle x2 -> conv3x3 (4C -> w)                                  head
    level 0 (H/2):  n_0 ResBlocks(w)       --skip--\\
    conv2x2 s2 -> level 1 (H/4): n_1 ResBlocks(2w) --skip--\\
    ...                                                 bottleneck: n_{L-1} ResBlocks
    conv1x1 + shuffle x2 up, + skip, n_i ResBlocks (decoder, levels L-2 .. 0)
    conv3x3 (w -> 4C) -> shuffle x2 -> residual r;  output = x + r (cropped back)

ResBlock: ``x + conv3x3(relu(conv3x3(x)))``, no normalization. Blind: no noise-level input.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.registry import architecture, build, register_model

__all__ = ["ResBlock", "RestoraDenoiser"]


class ResBlock(nn.Module):
    """``x + conv(relu(conv(x)))`` with 3x3 convolutions of ``width`` channels (shape kept)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(width, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(x), inplace=True))


def _stage(width: int, count: int) -> nn.Sequential:
    return nn.Sequential(*[ResBlock(width) for _ in range(count)])


@architecture("restora_denoiser")
class RestoraDenoiser(ConfigurableModel):
    """Blind residual U-Net denoiser (see the module docstring for the layout).

    Args:
        channels: image channels in and out (3 = RGB; gray photos go in as 3 equal channels).
        width: channels at the first (half-resolution) level; level ``i`` has ``width * 2**i``.
        blocks: ResBlocks per level, encoder and decoder alike; the last entry is the bottleneck
            (so ``len(blocks)`` = number of levels, the padding multiple is ``2**len(blocks)``).

    Input ``(B, channels, H, W)`` float, a noisy image nominally in [0, 1] (any size >= 1; noise
    may leave [0, 1]); output the same shape, not clamped (the descriptor clamps).

    >>> net = RestoraDenoiser(width=8, blocks=[1, 1])
    >>> tuple(net(torch.rand(1, 3, 7, 5)).shape)
    (1, 3, 7, 5)
    """

    def __init__(
        self, *, channels: int = 3, width: int = 32, blocks: list[int] | tuple[int, ...] = (2, 3, 2)
    ) -> None:
        super().__init__()
        blocks = [int(b) for b in blocks]
        if channels < 1 or width < 1:
            raise ValueError(f"channels and width must be >= 1, got {channels}, {width}")
        if not blocks or any(b < 0 for b in blocks):
            raise ValueError(f"blocks must be a non-empty list of counts >= 0, got {blocks}")
        self.levels = len(blocks)
        widths = [width * 2**i for i in range(self.levels)]
        self.head = nn.Conv2d(4 * channels, width, 3, padding=1)
        self.encoders = nn.ModuleList(
            _stage(w, n) for w, n in zip(widths[:-1], blocks[:-1], strict=True)
        )
        self.downs = nn.ModuleList(nn.Conv2d(w, 2 * w, 2, stride=2) for w in widths[:-1])
        self.bottleneck = _stage(widths[-1], blocks[-1])
        self.ups = nn.ModuleList(
            nn.Sequential(nn.Conv2d(2 * w, 4 * w, 1), nn.PixelShuffle(2)) for w in widths[:-1]
        )
        self.decoders = nn.ModuleList(
            _stage(w, n) for w, n in zip(widths[:-1], blocks[:-1], strict=True)
        )
        self.tail = nn.Conv2d(width, 4 * channels, 3, padding=1)
        nn.init.zeros_(self.tail.weight)  # start as the identity map: output = input
        nn.init.zeros_(self.tail.bias)

    @property
    def multiple_of(self) -> int:
        """Input sizes the network runs on unpadded: multiples of ``2**levels``."""
        return 2**self.levels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[-2:]
        m = self.multiple_of
        pad_h, pad_w = -height % m, -width % m
        padded = _pad(x, pad_h, pad_w) if pad_h or pad_w else x
        feat = self.head(F.pixel_unshuffle(padded, 2))
        skips = []
        for encoder, down in zip(self.encoders, self.downs, strict=True):
            feat = encoder(feat)
            skips.append(feat)
            feat = down(feat)
        feat = self.bottleneck(feat)
        for i in reversed(range(len(skips))):
            feat = self.decoders[i](self.ups[i](feat) + skips[i])
        out = padded + F.pixel_shuffle(self.tail(feat), 2)
        return out[..., :height, :width]

    def describe(self) -> ModelDescriptor:
        return ModelDescriptor(
            model=self,
            purpose="denoise",
            in_channels=self.config["channels"],
            out_channels=self.config["channels"],
            multiple_of=self.multiple_of,
            tile_size=512,
            tile_overlap=32,
        )


def _pad(x: torch.Tensor, pad_h: int, pad_w: int) -> torch.Tensor:
    """Reflect-pad bottom/right (replicate where a side is too short to reflect)."""
    height, width = x.shape[-2:]
    mode = "reflect" if pad_h < height and pad_w < width else "replicate"
    return F.pad(x, (0, pad_w, 0, pad_h), mode=mode)


@register_model("restora_denoiser.blind_color")
def restora_denoiser_blind_color(**overrides: Any) -> RestoraDenoiser:
    """Blind colour (and gray-as-RGB) denoiser, sigma 0..55: width 32, blocks (2, 3, 2)."""
    return build(RestoraDenoiser, overrides, channels=3, width=32, blocks=[2, 3, 2])
