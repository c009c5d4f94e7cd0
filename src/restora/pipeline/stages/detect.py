"""``detect_damage``: find scratches, dust and other damage, unless the user supplied a mask.

Methods:

* ``classical`` (:func:`restora.ops.damage.detect_damage_classical`) is not a local operator: it
  normalizes by image-wide block statistics, keeps or drops whole components by their length and
  follows scratches across the photo. Cut into tiles it would decide differently near the seams,
  so it never tiles. When the whole photo would not fit the memory budget it runs on a
  proportionally smaller copy (area downscale) and the mask is scaled back up. With the default
  1 GB budget that starts above ~13 MP; at the 100 MP limit the copy is ~0.37x, where marks one
  or two pixels wide can be missed (the report notes the factor).
* ``learned``: restora's trained damage segmentation network
  (:mod:`restora.models.segmentation.damage`), a local operator with a total stride of 8. Over
  the memory budget it runs tile by tile with tiles aligned to 8 px and a wide overlap; the
  probability map (averaged over ``detect.views`` mirror views) is thresholded at
  ``1 - sensitivity`` (0.5 by default).
* ``auto`` (the default): ``learned`` when its weights are installed, else ``classical``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch
import torch.nn.functional as F

from restora.core.errors import RestoraError
from restora.models.segmentation.damage import (
    auto_views,
    damage_logits,
    has_pretrained,
    load_pretrained,
)
from restora.ops.damage import detect_damage_classical
from restora.ops.tiling import tiled_apply
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage

_BYTES_PER_PIXEL = 80.0  # measured ~73 B/px on a 12 MP photo (float32 luma, filters, masks)
# The network: working memory per input pixel (measured on CPU at 512^2, with slack), overlap
# between tiles and tile alignment (its total stride).
_LEARNED_BYTES_PER_PIXEL = 700.0
_LEARNED_OVERLAP = 96
_LEARNED_ALIGN = 8


def working_factor(height: int, width: int, budget_mb: int) -> float:
    """Linear downscale factor (<= 1) that makes detection on ``height x width`` fit the budget."""
    need = height * width * _BYTES_PER_PIXEL
    budget = budget_mb * 1024 * 1024
    return 1.0 if need <= budget else math.sqrt(budget / need)


@lru_cache(maxsize=1)
def _learned_model() -> torch.nn.Module:
    """The shipped network prepared for inference (:func:`restora.nn.fusion.inference_form`:
    batch norms folded, 1x1 convs before upsampling, in-place ReLUs, channels-last memory;
    ~2.2x faster than as saved on this CPU, same output within 1e-4)."""
    from restora.nn.fusion import inference_form

    return inference_form(load_pretrained())


def learned_probability(
    image: torch.Tensor, ctx: RunContext | None = None, *, views: int = 4
) -> torch.Tensor:
    """Probability of damage ``(B, 1, H, W)`` in [0, 1] from restora's trained network for an
    image ``(B, 3, H, W)`` in [0, 1], averaged over ``views`` mirror views (1, 2 or 4, see
    :func:`~restora.models.segmentation.damage.damage_logits`), tiled (aligned to the
    network's stride) when the image does not fit ``ctx``'s memory budget."""
    model = _learned_model()
    ctx = ctx or RunContext()

    def probability(tile: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            tile = tile.float().contiguous(memory_format=torch.channels_last)
            logits = damage_logits(model, tile, views=views)
            return torch.sigmoid(logits).contiguous()

    h, w = image.shape[-2:]
    size = ctx.tile_size(h, w, bytes_per_pixel=_LEARNED_BYTES_PER_PIXEL, overlap=_LEARNED_OVERLAP)
    if size is None:
        return probability(image)
    return tiled_apply(
        probability,
        image,
        tile=max(size, 3 * _LEARNED_OVERLAP),
        overlap=_LEARNED_OVERLAP,
        align=_LEARNED_ALIGN,
        out_channels=1,
        progress=ctx.tile_progress("detect_damage"),
    )


class DetectDamageStage(Stage):
    name = "detect_damage"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        method, notes = spec.detect.method, []
        if restoration.mask is not None:
            return self.skip("user", "using the supplied mask")
        if method == "none":
            return self.skip(method, "detection turned off: nothing will be inpainted")
        if method == "auto":
            method = "learned" if has_pretrained() else "classical"
            if method == "classical":
                notes.append("restora's damage network is not installed: used the classical one")
        if method == "learned" and not has_pretrained():
            raise RestoraError(
                "detect.method learned: the damage network's weights are not installed "
                "(use auto or classical)"
            )
        image = restoration.image
        sensitivity = spec.detect.sensitivity
        if method == "learned":
            threshold = min(max(1.0 - sensitivity, 0.02), 0.98)
            views = spec.detect.views
            if views == "auto":
                views = auto_views(*image.shape[-2:])
            probability = learned_probability(image, ctx, views=views)
            mask = (probability > threshold).float()
            restoration.mask = mask
            restoration.mask_source = "detected"
            note = (
                f"{100 * float(mask.mean()):.2f}% of pixels flagged by restora's damage network "
                f"(threshold {threshold:.2f}, {views} view{'s' if views > 1 else ''})"
            )
            return StageRecord(stage=self.name, method=method, ran=True, notes=[note, *notes])
        h, w = image.shape[-2:]
        factor = working_factor(h, w, ctx.memory_budget_mb)
        if factor == 1.0:
            mask = detect_damage_classical(image, sensitivity=sensitivity)
        else:
            size = (max(1, round(h * factor)), max(1, round(w * factor)))
            small = F.interpolate(image, size=size, mode="area")
            found = detect_damage_classical(small, sensitivity=sensitivity)
            del small
            # bilinear then 0.5: marks keep their width (a one-pixel mark stays >= 1 px wide)
            mask = F.interpolate(found, size=(h, w), mode="bilinear", align_corners=False)
            mask = (mask > 0.5).float()
        restoration.mask = mask
        restoration.mask_source = "detected"
        note = f"{100 * float(mask.mean()):.2f}% of pixels flagged"
        if factor < 1.0:
            note += f" (detected at {factor:.2f}x size to fit the memory budget)"
        return StageRecord(stage=self.name, method=method, ran=True, notes=[note, *notes])
