"""restora's trained damage detector: where its weights ship and how to load them.

The detector is a small U-Net (``unet.damage`` or ``unet.damage_aspp``, see
:mod:`restora.models.segmentation.unet`) trained on synthetic damage over aged photos
(``configs/damage_*.toml``). Input float32 RGB ``(B, 3, H, W)`` in [0, 1], any size; output
logits ``(B, 1, H, W)`` (sigmoid = probability of damage). It is a local operator with a total
stride of 8: tiles whose starts are multiples of 8 (``tiled_apply(..., align=8)``) agree with the
whole image wherever the overlap covers the receptive field.

:func:`damage_logits` runs it with test-time flip averaging (the mean of the logits of the image
and of its mirror image), which measurably helps (see the model card).
"""

from __future__ import annotations

from pathlib import Path

import torch

from restora.models.segmentation.unet import UNet
from restora.nn.padding import crop_to, pad_to_multiple

__all__ = ["PRETRAINED_NAME", "STRIDE", "damage_logits", "load_pretrained", "pretrained_dir"]

PRETRAINED_NAME = "unet_damage"
STRIDE = 8


def pretrained_dir(name: str = PRETRAINED_NAME) -> Path:
    """The folder of shipped weights (``config.json`` + ``model.safetensors`` + model card):
    ``restora/weights/damage/<name>`` inside the package."""
    return Path(__file__).resolve().parents[2] / "weights" / "damage" / name


def load_pretrained(name: str = PRETRAINED_NAME, *, device: str | torch.device = "cpu") -> UNet:
    """restora's trained damage detector (EMA weights, see the folder's ``MODEL_CARD.md``) in
    eval mode. Raises ``RestoraError`` when the weights are missing."""
    from restora.models.checkpoint import load_model

    model = load_model(pretrained_dir(name), device=device)
    if not isinstance(model, UNet):
        raise TypeError(f"{pretrained_dir(name)} holds a {type(model).__name__}, not a UNet")
    return model


def damage_logits(
    model: torch.nn.Module, image: torch.Tensor, *, flip_average: bool = True
) -> torch.Tensor:
    """Logits ``(B, 1, H, W)`` of the detector ``model`` for ``image`` ``(B, 3, H, W)`` in [0, 1].

    ``flip_average`` averages the logits of the image and of its left-right mirror (test-time
    augmentation, twice the compute). The image is first reflect-padded to a multiple of
    :data:`STRIDE` so that the mirrored pass sees the same pooling grid: the result stays a local
    operator, and tiles aligned to the stride still agree with the whole image.
    """
    if not flip_average:
        return model(image)
    h, w = image.shape[-2:]
    padded, _ = pad_to_multiple(image, multiple_of=STRIDE, minimum=2 * STRIDE)
    logits = (model(padded) + model(padded.flip(-1)).flip(-1)) / 2
    return crop_to(logits, h, w)
