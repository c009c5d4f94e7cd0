"""Loss-term factories shared by the tasks: config name -> :class:`~restora.losses.LossTerm`.

Composer inputs the tasks provide: ``pred`` (raw network output), ``target``; inpainting adds
``composite``, ``mask`` and ``tv_region``; GAN tasks add the precomputed ``adversarial`` and
``feature_matching`` values.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import torch
from torch import nn

from restora.losses import (
    LossTerm,
    VGGFeatures,
    charbonnier,
    cross_entropy,
    dice_loss,
    hole_valid_l1,
    l1,
    lovasz_hinge,
    mse,
    perceptual_loss,
    ssim_loss,
    style_loss,
    tv_loss,
)
from restora.train.config import resolve_path

if TYPE_CHECKING:
    from restora.train.tasks.base import Task


def vgg_features(task: Task) -> VGGFeatures:
    """The task's frozen VGG16 extractor (built once, shared by perceptual and style terms)."""
    cached = getattr(task, "_vgg", None)
    if cached is None:
        loss = task.config.loss
        weights = None if loss.vgg_weights is None else resolve_path(loss.vgg_weights)
        cached = VGGFeatures(layers=loss.vgg_layers, weights=weights)
        task._vgg = cached  # type: ignore[attr-defined]
    return cached


class FeatureLoss(nn.Module):
    """Perceptual or style loss of ``pred`` (and, for inpainting, ``composite``) against
    ``target`` over one VGG feature pass per image: the sum over the given images."""

    def __init__(self, extractor: VGGFeatures, *, style: bool, with_composite: bool) -> None:
        super().__init__()
        self.extractor = extractor
        self.fn = style_loss if style else perceptual_loss
        self.with_composite = with_composite

    def forward(
        self, pred: torch.Tensor, target: torch.Tensor, composite: torch.Tensor | None = None
    ) -> torch.Tensor:
        reference = {k: v.detach() for k, v in self.extractor(target).items()}
        total = self.fn(self.extractor(pred), reference)
        if self.with_composite and composite is not None:
            total = total + self.fn(self.extractor(composite), reference)
        return total


def pixel_term(fn: object) -> LossTerm:
    return LossTerm(fn=fn)  # type: ignore[arg-type]


def image_terms() -> dict[str, object]:
    """Terms of supervised image-to-image tasks: pixel, perceptual, style and TV of ``pred``."""
    return {
        "l1": lambda task: pixel_term(l1),
        "mse": lambda task: pixel_term(mse),
        "charbonnier": lambda task: pixel_term(charbonnier),
        "perceptual": lambda task: LossTerm(
            fn=FeatureLoss(vgg_features(task), style=False, with_composite=False)
        ),
        "style": lambda task: LossTerm(
            fn=FeatureLoss(vgg_features(task), style=True, with_composite=False)
        ),
        "tv": lambda task: LossTerm(fn=tv_loss, inputs={"x": "pred"}),
    }


def inpaint_terms() -> dict[str, object]:
    """Terms of inpainting (Liu et al.): hole/valid L1 of the raw output, perceptual and style
    of raw output and composite, TV of the composite over the 1-pixel dilated hole, and
    ``ssim`` (1 - SSIM of the composite; not Liu et al.'s, aimed at blotchy fills)."""
    return {
        "hole_valid": lambda task: LossTerm(
            fn=partial(hole_valid_l1, alpha=task.config.loss.hole_alpha),
            inputs={"mask_hole": "mask"},
        ),
        "l1": lambda task: pixel_term(l1),
        "perceptual": lambda task: LossTerm(
            fn=FeatureLoss(vgg_features(task), style=False, with_composite=True),
            inputs={"composite": "composite"},
        ),
        "style": lambda task: LossTerm(
            fn=FeatureLoss(vgg_features(task), style=True, with_composite=True),
            inputs={"composite": "composite"},
        ),
        "tv": lambda task: LossTerm(fn=tv_loss, inputs={"x": "composite", "mask": "tv_region"}),
        "ssim": lambda task: LossTerm(fn=ssim_loss, inputs={"pred": "composite"}),
    }


def segmentation_terms() -> dict[str, object]:
    """Terms of segmentation on logits: binary/multi-class cross-entropy and soft Dice, binary
    Lovasz hinge (per-image IoU surrogate)."""
    return {
        "ce": lambda task: LossTerm(fn=cross_entropy, inputs={"logits": "pred"}),
        "dice": lambda task: LossTerm(
            fn=partial(dice_loss, smooth=task.config.loss.dice_smooth), inputs={"logits": "pred"}
        ),
        "lovasz": lambda task: LossTerm(fn=lovasz_hinge, inputs={"logits": "pred"}),
    }
