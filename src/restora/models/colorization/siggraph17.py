"""Zhang et al., "Real-Time User-Guided Image Colorization with Learned Deep Priors" (SIGGRAPH 2017).

L plus sparse user colour hints in, ab out (regression, tanh x 110), with a U-Net-like decoder.
Layer names and shapes are those of the authors' PyTorch release (``SIGGRAPHGenerator``), so
their checkpoint loads unchanged (:func:`load_zhang_checkpoint`); ``width`` scales every hidden
width (1 = the authors' network).

Input channels: ``(L - 50) / 100``, ``hints / 110`` and ``hint_mask - mask_centre`` (the
authors' training code centres the {0, 1} mask by 0.5). Layout (``c = 64 * width``)::

    model1  conv(4->c) relu conv relu bn                       full res  -> conv1_2
    model2  conv(c->2c) relu conv relu bn   on conv1_2[::2, ::2]    1/2  -> conv2_2
    model3  3 x (conv(->4c) relu) bn        on conv2_2[::2, ::2]    1/4  -> conv3_3
    model4  3 x (conv(->8c) relu) bn        on conv3_3[::2, ::2]    1/8
    model5, model6  3 x (conv dilation 2, relu) bn;  model7  3 x (conv relu) bn
    model8up convT(8c->4c) + model3short8(conv3_3) -> model8  relu (conv relu) x 2 bn  1/4
    model9up convT(4c->2c) + model2short9(conv2_2) -> model9  relu conv relu bn        1/2
    model10up convT(2c->2c) + model1short10(conv1_2) -> model10 relu conv leaky(0.2)  full
    model_out conv1x1(2c->2) tanh  -> ab / 110
    model_class conv1x1(4c->529) on model8's output: the classification head (23 x 23 ab grid)

restora's own training (``restora.train``, task kind "colorize") may use either head:
``decode = "regression"`` (the authors' choice) makes :meth:`~ZhangSIGGRAPH17.predict_ab`
return ``model_out``'s ab, ``decode = "annealed_mean"`` decodes the classification head (313 or
529 classes, :func:`restora.color.ab_bins.class_ab_bins`) as the ECCV16 network does.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import torch
import torch.nn.functional as F
from torch import nn

from restora.color.ab_bins import annealed_mean, class_ab_bins
from restora.core.checks import check_shape
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

__all__ = ["ZhangSIGGRAPH17"]


def _up(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1))


def _short(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1))


@architecture("zhang_siggraph17")
class ZhangSIGGRAPH17(ConfigurableModel):
    """The SIGGRAPH17 user-guided colorization network.

    Args:
        width: multiplier of every hidden width (1 = the authors' network).
        num_classes: outputs of the classification head (authors: 529, a 23 x 23 ab grid).
        mask_centre: subtracted from the {0, 1} hint mask before it enters the network.
        decode: what :meth:`predict_ab` returns: ``"regression"`` (``model_out``, tanh x 110)
            or ``"annealed_mean"`` (of the classification head's logits, upsampled x4; needs
            313 or 529 classes).
        temperature: default annealed-mean temperature (paper: 0.38).

    ``forward(lightness, hints=None, hint_mask=None)``: ``lightness (B, 1, H, W)`` CIE L in
    [0, 100]; ``hints (B, 2, H, W)`` CIE ab at hinted pixels (anything elsewhere: multiplied by
    the mask); ``hint_mask (B, 1, H, W)`` 1 where a hint is given. Missing hints mean none.
    Returns ab ``(B, 2, H, W)`` in CIE units, in (-110, 110); with ``return_logits=True`` also
    the class logits ``(B, num_classes, ceil(H/4), ceil(W/4))``. Any size (padded to 8 inside).

    >>> net = ZhangSIGGRAPH17(width=0.0625)
    >>> tuple(net(torch.full((1, 1, 37, 29), 50.0)).shape)
    (1, 2, 37, 29)
    """

    accepts_hints: ClassVar[bool] = True  # forward takes (lightness, hints, hint_mask)

    def __init__(
        self,
        *,
        width: float = 1.0,
        num_classes: int = 529,
        mask_centre: float = 0.5,
        decode: Literal["regression", "annealed_mean"] = "regression",
        temperature: float = 0.38,
    ) -> None:
        super().__init__()
        check_width(width)
        if num_classes < 1:
            raise ValueError(f"num_classes must be >= 1, got {num_classes}")
        if decode not in ("regression", "annealed_mean"):
            raise ValueError(f"decode must be 'regression' or 'annealed_mean', got {decode!r}")
        if decode == "annealed_mean":
            class_ab_bins(num_classes)  # raises for a head without bin centres
        if temperature <= 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        self.mask_centre = mask_centre
        self.decode = decode
        self.temperature = temperature
        self.num_classes = num_classes
        c1, c2, c3, c4 = (scaled(n, width) for n in (64, 128, 256, 512))
        self.model1 = nn.Sequential(*conv_stack([4, c1, c1]))
        self.model2 = nn.Sequential(*conv_stack([c1, c2, c2]))
        self.model3 = nn.Sequential(*conv_stack([c2, c3, c3, c3]))
        self.model4 = nn.Sequential(*conv_stack([c3, c4, c4, c4]))
        self.model5 = nn.Sequential(*conv_stack([c4, c4, c4, c4], dilation=2))
        self.model6 = nn.Sequential(*conv_stack([c4, c4, c4, c4], dilation=2))
        self.model7 = nn.Sequential(*conv_stack([c4, c4, c4, c4]))
        self.model8up = _up(c4, c3)
        self.model8 = nn.Sequential(*conv_stack([c3, c3, c3], relu_first=True))
        self.model9up = _up(c3, c2)
        self.model9 = nn.Sequential(*conv_stack([c2, c2], relu_first=True))
        self.model10up = _up(c2, c2)
        self.model10 = nn.Sequential(
            nn.ReLU(True), nn.Conv2d(c2, c2, 3, padding=1), nn.LeakyReLU(negative_slope=0.2)
        )
        self.model3short8 = _short(c3, c3)
        self.model2short9 = _short(c2, c2)
        self.model1short10 = _short(c1, c2)
        self.model_class = nn.Sequential(nn.Conv2d(c3, num_classes, 1))
        self.model_out = nn.Sequential(nn.Conv2d(c2, 2, 1), nn.Tanh())

    def _inputs(
        self, lightness: torch.Tensor, hints: torch.Tensor | None, hint_mask: torch.Tensor | None
    ) -> torch.Tensor:
        check_lightness(lightness)
        b, _, h, w = lightness.shape
        if (hints is None) != (hint_mask is None):
            raise ValueError("give both hints and hint_mask, or neither")
        if hints is None or hint_mask is None:
            hints = lightness.new_zeros(b, 2, h, w)
            hint_mask = lightness.new_zeros(b, 1, h, w)
        check_shape(hints, [str(b), "2", str(h), str(w)], "hints")
        check_shape(hint_mask, [str(b), "1", str(h), str(w)], "hint_mask")
        mask = (hint_mask > 0.5).to(lightness.dtype)
        return torch.cat(
            [(lightness - L_CENTRE) / L_NORM, hints * mask / AB_NORM, mask - self.mask_centre],
            dim=1,
        )

    def forward(
        self,
        lightness: torch.Tensor,
        hints: torch.Tensor | None = None,
        hint_mask: torch.Tensor | None = None,
        *,
        return_logits: bool = False,
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        height, width = lightness.shape[-2:]
        x = pad8(self._inputs(lightness, hints, hint_mask))
        conv1_2 = self.model1(x)
        conv2_2 = self.model2(conv1_2[:, :, ::2, ::2])
        conv3_3 = self.model3(conv2_2[:, :, ::2, ::2])
        x = self.model4(conv3_3[:, :, ::2, ::2])
        x = self.model7(self.model6(self.model5(x)))
        conv8_3 = self.model8(self.model8up(x) + self.model3short8(conv3_3))
        x = self.model9(self.model9up(conv8_3) + self.model2short9(conv2_2))
        x = self.model10(self.model10up(x) + self.model1short10(conv1_2))
        ab = (self.model_out(x) * AB_NORM)[..., :height, :width]
        if not return_logits:
            return ab
        logits = self.model_class(conv8_3)[..., : -(-height // 4), : -(-width // 4)]
        return ab, logits

    def bin_centres(self) -> torch.Tensor:
        """The ``(num_classes, 2)`` ab centres (CIE units) of the classification head's classes
        (``ValueError`` unless there are 313 or 529)."""
        return class_ab_bins(self.num_classes).to(self.model_out[0].weight.device)

    def predict_ab(
        self,
        lightness: torch.Tensor,
        *,
        hints: torch.Tensor | None = None,
        hint_mask: torch.Tensor | None = None,
        temperature: float | None = None,
    ) -> torch.Tensor:
        """ab ``(B, 2, H, W)`` in CIE units, decoded as ``decode`` says (see the class
        docstring); ``temperature`` (default: the constructor's) applies to ``annealed_mean``
        only - the regression output has none."""
        if self.decode == "regression":
            out = self(lightness, hints, hint_mask)
            assert isinstance(out, torch.Tensor)
            return out
        height, width = lightness.shape[-2:]
        _, logits = self(lightness, hints, hint_mask, return_logits=True)
        t = self.temperature if temperature is None else temperature
        ab = annealed_mean(logits, self.bin_centres().to(logits), temperature=t)
        ab = F.interpolate(ab, scale_factor=4, mode="bilinear", align_corners=False)
        return ab[..., :height, :width]


@register_model("zhang.siggraph17")
def zhang_siggraph17(**overrides: Any) -> ZhangSIGGRAPH17:
    """Zhang et al. SIGGRAPH17 (user hints) at the authors' width."""
    return build(ZhangSIGGRAPH17, overrides, width=1.0)
