"""EDSR (Lim et al., "Enhanced Deep Residual Networks for Single Image Super-Resolution",
CVPRW 2017), with state-dict keys compatible with the official EDSR-PyTorch checkpoints.

Keys: ``sub_mean.*``, ``head.0.*``, ``body.{i}.body.0/2.*`` (residual blocks),
``body.{num_blocks}.*`` (conv closing the body), ``tail.0.{0,2,..}.*`` (upsampler convs),
``tail.1.*`` (output conv), ``add_mean.*``.

Value range: restora passes images in [0, 1]; the network works internally on
``[0, rgb_range]`` (255 for the official checkpoints, trained on 0-255 data), so ``forward``
multiplies by ``rgb_range`` on the way in and divides on the way out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.registry import architecture, build, register_model
from restora.models.sr.mean_shift import DIV2K_RGB_MEAN, MeanShift
from restora.nn.residual import ResidualBlock
from restora.nn.upsample import PixelShuffleUpsampler

__all__ = ["EDSR"]


@architecture("edsr")
class EDSR(ConfigurableModel):
    """EDSR: conv head, ``num_blocks`` residual blocks (no BatchNorm, ``res_scale``), conv,
    global skip, pixel-shuffle upsampler, conv tail; dataset mean removed and added back.

    Input ``(B, channels, H, W)`` in [0, 1], any size; output ``(B, channels, scale*H, scale*W)``
    (not clamped; the descriptor clamps). ``rgb_mean`` needs one value per channel
    (DIV2K's RGB mean by default).

    >>> net = EDSR(scale=2, width=8, num_blocks=2)
    >>> tuple(net(torch.rand(1, 3, 7, 5)).shape)
    (1, 3, 14, 10)
    """

    def __init__(
        self,
        *,
        scale: int = 4,
        channels: int = 3,
        width: int = 64,
        num_blocks: int = 16,
        res_scale: float = 1.0,
        rgb_range: float = 255.0,
        rgb_mean: Sequence[float] = DIV2K_RGB_MEAN,
    ) -> None:
        super().__init__()
        if len(rgb_mean) != channels:
            raise ValueError(f"rgb_mean needs {channels} values, got {len(rgb_mean)}")
        self.scale = scale
        self.rgb_range = rgb_range
        self.sub_mean = MeanShift(rgb_mean, rgb_range=rgb_range, sign=-1)
        self.head = nn.Sequential(nn.Conv2d(channels, width, 3, padding=1))
        blocks: list[nn.Module] = [
            ResidualBlock(width, res_scale=res_scale) for _ in range(num_blocks)
        ]
        blocks.append(nn.Conv2d(width, width, 3, padding=1))
        self.body = nn.Sequential(*blocks)
        self.tail = nn.Sequential(
            PixelShuffleUpsampler(width, scale), nn.Conv2d(width, channels, 3, padding=1)
        )
        self.add_mean = MeanShift(rgb_mean, rgb_range=rgb_range, sign=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.head(self.sub_mean(x * self.rgb_range))
        x = self.tail(self.body(x) + x)
        return self.add_mean(x) / self.rgb_range

    def describe(self) -> ModelDescriptor:
        cfg = self._config
        radius = 2 * cfg["num_blocks"] + 4  # 3x3 convs at low resolution
        return ModelDescriptor(
            model=self,
            purpose="sr",
            scale=cfg["scale"],
            in_channels=cfg["channels"],
            out_channels=cfg["channels"],
            tile_size=256,
            tile_overlap=4 * radius,
        )


def _variant(scale: int, full: bool, overrides: dict[str, Any]) -> EDSR:
    if full:
        return build(EDSR, overrides, scale=scale, width=256, num_blocks=32, res_scale=0.1)
    return build(EDSR, overrides, scale=scale, width=64, num_blocks=16, res_scale=1.0)


@register_model("edsr.baseline_x2")
def edsr_baseline_x2(**overrides: Any) -> EDSR:
    """EDSR baseline ×2: 16 blocks, 64 features, res_scale 1, rgb_range 255."""
    return _variant(2, False, overrides)


@register_model("edsr.baseline_x3")
def edsr_baseline_x3(**overrides: Any) -> EDSR:
    """EDSR baseline ×3: 16 blocks, 64 features, res_scale 1, rgb_range 255."""
    return _variant(3, False, overrides)


@register_model("edsr.baseline_x4")
def edsr_baseline_x4(**overrides: Any) -> EDSR:
    """EDSR baseline ×4: 16 blocks, 64 features, res_scale 1, rgb_range 255."""
    return _variant(4, False, overrides)


@register_model("edsr.full_x2")
def edsr_full_x2(**overrides: Any) -> EDSR:
    """EDSR (paper's full model) ×2: 32 blocks, 256 features, res_scale 0.1."""
    return _variant(2, True, overrides)


@register_model("edsr.full_x3")
def edsr_full_x3(**overrides: Any) -> EDSR:
    """EDSR full ×3: 32 blocks, 256 features, res_scale 0.1."""
    return _variant(3, True, overrides)


@register_model("edsr.full_x4")
def edsr_full_x4(**overrides: Any) -> EDSR:
    """EDSR full ×4: 32 blocks, 256 features, res_scale 0.1."""
    return _variant(4, True, overrides)
