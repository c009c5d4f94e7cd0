"""restora's trained damage detector: where its weights ship and how to load them.

The detector is a small U-Net (``unet.damage`` or ``unet.damage_aspp``, see
:mod:`restora.models.segmentation.unet`) trained on synthetic damage over aged photos
(``configs/damage_*.toml``). Input float32 RGB ``(B, 3, H, W)`` in [0, 1], any size; output
logits ``(B, 1, H, W)`` (sigmoid = probability of damage). It is a local operator with a total
stride of 8: tiles whose starts are multiples of 8 (``tiled_apply(..., align=8)``) agree with the
whole image wherever the overlap covers the receptive field.

:func:`damage_logits` runs it with test-time flip averaging: the mean of the logits of the image
and of its mirror images (left-right, up-down, both), which measurably helps (see the model card).
:func:`auto_views` picks how many views a photo of a given size can afford.
"""

from __future__ import annotations

from pathlib import Path

import torch

from restora.models.segmentation.unet import UNet
from restora.nn.padding import crop_to, pad_to_multiple
from restora.ops.mirror import MIRROR_VIEWS, mirror_average, views_within

__all__ = [
    "AUTO_VIEW_BUDGET_MP",
    "PRETRAINED_NAME",
    "STRIDE",
    "VIEWS",
    "auto_views",
    "damage_logits",
    "has_pretrained",
    "load_pretrained",
    "pretrained_dir",
]

PRETRAINED_NAME = "unet_damage"
STRIDE = 8
VIEWS = MIRROR_VIEWS
# Megapixel-views "auto" spends: 4 views up to 4 MP, 2 up to 8 MP, 1 above (a single view of a
# 24 MP scan already takes ~35 s on 2 CPU cores).
AUTO_VIEW_BUDGET_MP = 16.0


def pretrained_dir(name: str = PRETRAINED_NAME) -> Path:
    """The folder of shipped weights (``config.json`` + ``model.safetensors`` + model card):
    ``restora/weights/damage/<name>`` inside the package."""
    return Path(__file__).resolve().parents[2] / "weights" / "damage" / name


def has_pretrained(name: str = PRETRAINED_NAME) -> bool:
    """Whether the shipped weights ``name`` are installed (config and safetensors present)."""
    folder = pretrained_dir(name)
    return (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()


def load_pretrained(name: str = PRETRAINED_NAME, *, device: str | torch.device = "cpu") -> UNet:
    """restora's trained damage detector (EMA weights, see the folder's ``MODEL_CARD.md``) in
    eval mode. Raises ``RestoraError`` when the weights are missing."""
    from restora.models.checkpoint import load_model

    model = load_model(pretrained_dir(name), device=device)
    if not isinstance(model, UNet):
        raise TypeError(f"{pretrained_dir(name)} holds a {type(model).__name__}, not a UNet")
    return model


def auto_views(height: int, width: int, *, budget_mp: float = AUTO_VIEW_BUDGET_MP) -> int:
    """The most views (4, 2 or 1) of :func:`damage_logits` whose total work on a ``height x
    width`` photo stays within ``budget_mp`` megapixel-views (always at least 1).

    >>> auto_views(481, 321), auto_views(2000, 3000), auto_views(4000, 6000)
    (4, 2, 1)
    """
    return views_within(height, width, budget_mp=budget_mp)


def damage_logits(model: torch.nn.Module, image: torch.Tensor, *, views: int = 4) -> torch.Tensor:
    """Logits ``(B, 1, H, W)`` of the detector ``model`` for ``image`` ``(B, 3, H, W)`` in [0, 1].

    ``views`` is test-time augmentation: 1 runs the network once; 2 averages the logits of the
    image and of its left-right mirror; 4 adds the up-down mirror and the 180-degree rotation
    (``views`` times the compute). For more than one view the image is first reflect-padded to
    a multiple of :data:`STRIDE` so every mirrored pass sees the same pooling grid: the result
    stays a local operator, and tiles aligned to the stride still agree with the whole image.
    """
    if views not in VIEWS:
        raise ValueError(f"views must be one of {VIEWS}, got {views!r}")
    if views == 1:
        return model(image)
    h, w = image.shape[-2:]
    padded, _ = pad_to_multiple(image, multiple_of=STRIDE, minimum=2 * STRIDE)
    return crop_to(mirror_average(model, padded, views=views), h, w)
