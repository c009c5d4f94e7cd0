"""``detect_damage``: find scratches and dust, unless the user supplied a mask.

The classical detector is not a local operator: it normalizes by image-wide block statistics,
keeps or drops whole components by their length and follows scratches across the photo. Cut
into tiles it would decide differently near the seams, so it never tiles. When the whole photo
would not fit the memory budget it runs on a proportionally smaller copy (area downscale) and
the mask is scaled back up; thin damage stays at least about a pixel wide down to the 100 MP
pixel limit with the default 1 GB budget.
"""

from __future__ import annotations

import math

import torch.nn.functional as F

from restora.ops.damage import detect_damage_classical
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage

_BYTES_PER_PIXEL = 80.0  # measured ~73 B/px on a 12 MP photo (float32 luma, filters, masks)


def working_factor(height: int, width: int, budget_mb: int) -> float:
    """Linear downscale factor (<= 1) that makes detection on ``height x width`` fit the budget."""
    need = height * width * _BYTES_PER_PIXEL
    budget = budget_mb * 1024 * 1024
    return 1.0 if need <= budget else math.sqrt(budget / need)


class DetectDamageStage(Stage):
    name = "detect_damage"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        method = spec.detect.method
        if restoration.mask is not None:
            return self.skip("user", "using the supplied mask")
        if method == "none":
            return self.skip(method, "detection turned off: nothing will be inpainted")
        image = restoration.image
        h, w = image.shape[-2:]
        factor = working_factor(h, w, ctx.memory_budget_mb)
        sensitivity = spec.detect.sensitivity
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
        return StageRecord(stage=self.name, method=method, ran=True, notes=[note])
