"""``detect_damage``: find scratches and dust, unless the user supplied a mask."""

from __future__ import annotations

from restora.ops.damage import detect_damage_classical
from restora.ops.tiling import tiled_apply
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage

_OVERLAP = 48
_BYTES_PER_PIXEL = 64.0  # float32 luminance, filters and masks of the classical detector


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
        sensitivity = spec.detect.sensitivity

        def detect(tile):
            return detect_damage_classical(tile, sensitivity=sensitivity)

        tile = ctx.tile_size(h, w, bytes_per_pixel=_BYTES_PER_PIXEL, overlap=_OVERLAP)
        if tile is None:
            mask = detect(image)
        else:
            mask = tiled_apply(
                detect,
                image,
                tile=tile,
                overlap=_OVERLAP,
                out_channels=1,
                progress=ctx.tile_progress("detect"),
            )
        mask = (mask > 0.5).float()
        restoration.mask = mask
        restoration.mask_source = "detected"
        note = f"{100 * float(mask.mean()):.2f}% of pixels flagged"
        if tile is not None:
            note += f" (tiles of {tile} px)"
        return StageRecord(stage=self.name, method=method, ran=True, notes=[note])
