"""``inpaint``: fill the damage mask with restora's network, a classical method or DIP.

``auto`` (the default) is restora's shipped network when its weights are installed, else Telea
(with a note saying so)."""

from __future__ import annotations

from restora.core.errors import RestoraError
from restora.models.inpainting.pretrained import has_pretrained
from restora.ops.inpaint import CLASSICAL_INPAINTERS, inpaint_classical
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage
from restora.pipeline.stages.inpaint_dip import dip_fill
from restora.pipeline.stages.inpaint_learned import auto_views, learned_fill
from restora.pipeline.strategies import crop_around_mask, dilate_mask

_OTHER_METHODS = ("auto", "restora", "dip")
_CELL = 1024
# Context around each hole component: on a 24 MP scan the network's PSNR over the holes is the
# same with 48 px as with 96 (21.06 dB both), at half the crop area.
_MARGIN = 48
_DIP_MARGIN = 96  # DIP fits one network per crop: few large cells, not one crop per component


class InpaintStage(Stage):
    name = "inpaint"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.inpaint
        method, notes = options.method, []
        if method not in CLASSICAL_INPAINTERS and method not in _OTHER_METHODS:
            known = ", ".join([*_OTHER_METHODS, *CLASSICAL_INPAINTERS.names()])
            raise KeyError(f"unknown inpaint method {method!r} (known: {known})")
        if method == "auto":
            method = "restora" if has_pretrained() else "telea"
            if method == "telea":
                notes.append("restora's inpainting weights are not installed: used Telea")
        if method == "restora" and not has_pretrained():
            raise RestoraError(
                "inpaint.method restora: the network's weights are not installed "
                "(use auto or a classical method)"
            )
        if restoration.mask is None or not bool((restoration.mask > 0.5).any()):
            return self.skip(method, "no damage to fill")
        mask = dilate_mask(restoration.mask, options.dilate)
        if float(mask.mean()) > 0.999:
            return self.skip(method, "the mask covers the whole image: nothing to fill from")

        views = options.views
        if views == "auto":
            views = auto_views(*restoration.image.shape[-2:])

        def fill(image, hole):
            if method == "dip":
                return dip_fill(image, hole, seed=options.seed, iterations=options.dip_iterations)
            if method == "restora":
                return learned_fill(image, hole, views=views)
            return inpaint_classical(image, hole, method=method, radius=options.radius)

        restoration.image = crop_around_mask(
            fill,
            restoration.image,
            mask,
            cell=_CELL,
            margin=_DIP_MARGIN if method == "dip" else _MARGIN,
            regions="cells" if method == "dip" else "components",
            progress=ctx.tile_progress("inpaint"),
        )
        notes.append(
            f"filled {100 * float(mask.mean()):.2f}% of pixels (mask dilated by {options.dilate} px"
            f"{f', {views} views' if method == 'restora' and views > 1 else ''})"
        )
        return StageRecord(stage=self.name, method=method, ran=True, notes=notes)
