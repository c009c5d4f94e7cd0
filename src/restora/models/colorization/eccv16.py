"""Zhang et al., "Colorful Image Colorization" (ECCV 2016): L in, a distribution over 313 ab bins out.

Layer names and shapes are those of the authors' PyTorch release (``ECCVGenerator``:
``model1`` ... ``model8`` ``nn.Sequential`` stacks, a fixed 1x1 ``model_out`` holding the bin
centres / 110), so their checkpoint loads unchanged (:func:`load_zhang_checkpoint`). At
``width=1`` the state dict has the authors' 32.2 M parameters; ``width`` scales every hidden
width (0.25 gives a CPU-sized network of the same design).

Layout (``c = 64 * width``; resolution relative to the input)::

    model1  conv(1->c) relu conv(c->c, s2) relu bn                 1/2
    model2  conv(c->2c) relu conv(2c->2c, s2) relu bn              1/4
    model3  conv(2c->4c) relu conv relu conv(s2) relu bn           1/8
    model4  3 x (conv(->8c) relu) bn                               1/8
    model5  3 x (conv dilation 2 relu) bn ; model6 the same        1/8
    model7  3 x (conv relu) bn                                     1/8
    model8  convT(8c->4c, 4, s2) relu conv relu conv relu conv1x1(->313)   1/4
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from torch import nn

from restora.color.ab_bins import annealed_mean, zhang_ab_bins
from restora.models.base import ConfigurableModel
from restora.models.colorization._zhang import (
    AB_NORM,
    L_CENTRE,
    L_NORM,
    check_lightness,
    check_width,
    conv_stack,
    pad8,
    scaled,
)
from restora.models.registry import architecture, build, register_model

__all__ = ["NUM_BINS", "ZhangECCV16"]

NUM_BINS = 313


@architecture("zhang_eccv16")
class ZhangECCV16(ConfigurableModel):
    """The ECCV16 colorization network (classification over the 313 in-gamut ab bins).

    Args:
        width: multiplier of every hidden width (1 = the authors' network).
        temperature: default annealed-mean temperature of :meth:`predict_ab` (paper: 0.38).

    ``forward(lightness)``: ``(B, 1, H, W)`` CIE L in [0, 100] (any size; padded inside to a
    multiple of 8) -> logits ``(B, 313, ceil(H/4), ceil(W/4))``. The bin centres live in the
    frozen ``model_out`` weight (``(2, 313, 1, 1)`` = centres / 110, as in the authors' file;
    built from :func:`restora.color.ab_bins.zhang_ab_bins`).

    >>> net = ZhangECCV16(width=0.0625)
    >>> tuple(net(torch.full((1, 1, 37, 29), 50.0)).shape)
    (1, 313, 10, 8)
    """

    accepts_hints: ClassVar[bool] = False  # forward takes (lightness, hints, hint_mask)

    def __init__(self, *, width: float = 1.0, temperature: float = 0.38) -> None:
        super().__init__()
        check_width(width)
        if temperature <= 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        self.temperature = temperature
        c1, c2, c3, c4 = (scaled(n, width) for n in (64, 128, 256, 512))
        self.model1 = nn.Sequential(*conv_stack([1, c1, c1], stride_last=2))
        self.model2 = nn.Sequential(*conv_stack([c1, c2, c2], stride_last=2))
        self.model3 = nn.Sequential(*conv_stack([c2, c3, c3, c3], stride_last=2))
        self.model4 = nn.Sequential(*conv_stack([c3, c4, c4, c4]))
        self.model5 = nn.Sequential(*conv_stack([c4, c4, c4, c4], dilation=2))
        self.model6 = nn.Sequential(*conv_stack([c4, c4, c4, c4], dilation=2))
        self.model7 = nn.Sequential(*conv_stack([c4, c4, c4, c4]))
        self.model8 = nn.Sequential(
            nn.ConvTranspose2d(c4, c3, 4, stride=2, padding=1),
            nn.ReLU(True),
            nn.Conv2d(c3, c3, 3, padding=1),
            nn.ReLU(True),
            nn.Conv2d(c3, c3, 3, padding=1),
            nn.ReLU(True),
            nn.Conv2d(c3, NUM_BINS, 1),
        )
        self.model_out = nn.Conv2d(NUM_BINS, 2, 1, bias=False)
        with torch.no_grad():
            self.model_out.weight.copy_((zhang_ab_bins().T / AB_NORM).view(2, NUM_BINS, 1, 1))
        self.model_out.weight.requires_grad_(False)

    def bin_centres(self) -> torch.Tensor:
        """The ``(313, 2)`` ab centres (CIE units) held by ``model_out``."""
        return self.model_out.weight.detach().view(2, NUM_BINS).T * AB_NORM

    def forward(self, lightness: torch.Tensor) -> torch.Tensor:
        check_lightness(lightness)
        height, width = lightness.shape[-2:]
        x = pad8((lightness - L_CENTRE) / L_NORM)
        for stage in (self.model1, self.model2, self.model3, self.model4, self.model5):
            x = stage(x)
        logits = self.model8(self.model7(self.model6(x)))
        return logits[..., : -(-height // 4), : -(-width // 4)]

    def predict_ab(
        self,
        lightness: torch.Tensor,
        *,
        hints: torch.Tensor | None = None,
        hint_mask: torch.Tensor | None = None,
        temperature: float | None = None,
    ) -> torch.Tensor:
        """ab ``(B, 2, H, W)`` (CIE units) for ``lightness (B, 1, H, W)`` in [0, 100].

        Annealed mean of the logits at ``temperature`` (default: the constructor's), bilinearly
        upsampled x4 (as the authors) and cropped to the input size. This network takes no
        hints: passing any raises ``ValueError``. The authors' own forward is the plain mean
        (``temperature=1``) of ``softmax`` over ``model8``'s output.
        """
        if hints is not None or hint_mask is not None:
            raise ValueError("the ECCV16 colorizer takes no colour hints (use a hint model)")
        height, width = lightness.shape[-2:]
        t = self.temperature if temperature is None else temperature
        ab = annealed_mean(self(lightness), self.bin_centres(), temperature=t)
        ab = F.interpolate(ab, scale_factor=4, mode="bilinear", align_corners=False)
        return ab[..., :height, :width]


@register_model("zhang.eccv16")
def zhang_eccv16(**overrides: Any) -> ZhangECCV16:
    """Zhang et al. ECCV16 at the authors' width (``width=0.25`` for a CPU-sized variant)."""
    return build(ZhangECCV16, overrides, width=1.0)
