"""Gated-convolution inpainting networks after DeepFill v2 (Yu et al., "Free-Form Image
Inpainting with Gated Convolution", ICCV 2019): its coarse stage alone, or coarse-to-fine (a
second gated network refines the coarse result pasted into the known pixels; DeepFill v2's
contextual attention branch is left out, to stay CPU-sized)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, overload

import torch
from torch import nn

from restora.models.base import ConfigurableModel
from restora.models.descriptor import ModelDescriptor
from restora.models.inpainting.describe import inpaint_descriptor
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

    ``refine=True`` adds DeepFill v2's second stage: a network of the same layout (own weights)
    gets the coarse prediction pasted into the known pixels and returns the final prediction;
    ``forward(image, mask, return_coarse=True)`` returns ``(final, coarse)`` (for a loss on the
    coarse output too; without ``refine`` both are equal).

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
        refine: bool = False,
    ) -> None:
        super().__init__()
        self.coarse = _GatedStage(channels, width, dilations, spectral_norm)
        self.fine = _GatedStage(channels, width, dilations, spectral_norm) if refine else None

    @overload
    def forward(
        self, image: torch.Tensor, mask: torch.Tensor, return_coarse: Literal[False] = ...
    ) -> torch.Tensor: ...

    @overload
    def forward(
        self, image: torch.Tensor, mask: torch.Tensor, return_coarse: Literal[True]
    ) -> tuple[torch.Tensor, torch.Tensor]: ...

    def forward(
        self, image: torch.Tensor, mask: torch.Tensor, return_coarse: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        image, (h, w) = pad_to_multiple(image, multiple_of=4)
        mask, _ = pad_to_multiple(mask, multiple_of=4)
        coarse = self.coarse(image * (1.0 - mask), mask)
        out = coarse
        if self.fine is not None:
            out = self.fine(image * (1.0 - mask) + coarse * mask, mask)
        out = crop_to(out, h, w)
        return (out, crop_to(coarse, h, w)) if return_coarse else out

    def describe(self) -> ModelDescriptor:
        return inpaint_descriptor(self)


class _GatedStage(nn.Module):
    """One encoder-dilated-decoder gated network: ``(image, mask) -> prediction``, sides a
    multiple of 4."""

    def __init__(
        self, channels: int, width: int, dilations: Sequence[int], spectral_norm: bool
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
        return self.decoder(self.middle(self.encoder(torch.cat([image, mask], dim=1))))


@register_model("gated_net.base")
def gated_net_base(**overrides: Any) -> GatedInpaintNet:
    """Width 32, dilations 2-4-8-16, RGB, no spectral norm (DeepFill v2 coarse-stage layout)."""
    return build(GatedInpaintNet, overrides, channels=3, width=32)


@register_model("gated_net.coarse_to_fine")
def gated_net_coarse_to_fine(**overrides: Any) -> GatedInpaintNet:
    """Coarse and refinement stages, width 16 each (sized for the CPU), dilations 2-4-8-16."""
    return build(GatedInpaintNet, overrides, channels=3, width=16, refine=True)
