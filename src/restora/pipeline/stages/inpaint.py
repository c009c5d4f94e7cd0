"""``inpaint``: fill the damage mask (classical methods for now; learned models plug in here)."""

from __future__ import annotations

from restora.ops.inpaint import CLASSICAL_INPAINTERS, inpaint_classical
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage
from restora.pipeline.stages.inpaint_dip import dip_fill
from restora.pipeline.strategies import crop_around_mask, dilate_mask

_CELL = 1024
_MARGIN = 96


class InpaintStage(Stage):
    name = "inpaint"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.inpaint
        if options.method not in CLASSICAL_INPAINTERS and options.method != "dip":
            known = ", ".join([*CLASSICAL_INPAINTERS.names(), "dip"])
            raise KeyError(f"unknown inpaint method {options.method!r} (known: {known})")
        if restoration.mask is None or not bool((restoration.mask > 0.5).any()):
            return self.skip(options.method, "no damage to fill")
        mask = dilate_mask(restoration.mask, options.dilate)
        if float(mask.mean()) > 0.999:
            return self.skip(
                options.method, "the mask covers the whole image: nothing to fill from"
            )

        def fill(image, hole):
            if options.method == "dip":
                return dip_fill(image, hole)
            return inpaint_classical(image, hole, method=options.method, radius=options.radius)

        restoration.image = crop_around_mask(
            fill,
            restoration.image,
            mask,
            cell=_CELL,
            margin=_MARGIN,
            progress=ctx.tile_progress("inpaint"),
        )
        note = f"filled {100 * float(mask.mean()):.2f}% of pixels (mask dilated by {options.dilate} px)"
        return StageRecord(stage=self.name, method=options.method, ran=True, notes=[note])
