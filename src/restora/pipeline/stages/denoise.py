"""``denoise``: remove noise when ``analyze`` (or the user) says there is enough of it."""

from __future__ import annotations

from restora.ops.denoise import nlm_denoise
from restora.ops.tiling import tiled_apply
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage

_OVERLAP = 32  # > half the NLM search window plus half the template
_BYTES_PER_PIXEL = 48.0


class DenoiseStage(Stage):
    name = "denoise"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.denoise
        if options.method == "none":
            return self.skip("none", "denoising turned off")
        sigma = options.sigma
        source = "given"
        if sigma is None:
            sigma = restoration.flags.get("noise_sigma")
            source = "estimated"
        if sigma is None:
            return self.skip(
                options.method, "no noise estimate (run 'analyze' or give denoise.sigma)"
            )
        if sigma < options.threshold:
            return self.skip(
                options.method,
                f"{source} noise sigma {sigma:.1f}/255 is below the threshold {options.threshold}: image left unchanged",
            )
        image = restoration.image
        h, w = image.shape[-2:]

        def denoise(tile):
            return nlm_denoise(tile, sigma=sigma / 255.0)

        tile = ctx.tile_size(h, w, bytes_per_pixel=_BYTES_PER_PIXEL, overlap=_OVERLAP)
        if tile is None:
            restoration.image = denoise(image)
        else:
            restoration.image = tiled_apply(
                denoise, image, tile=tile, overlap=_OVERLAP, progress=ctx.tile_progress("denoise")
            ).clamp_(0, 1)
        note = f"non-local means at {source} sigma {sigma:.1f}/255"
        return StageRecord(stage=self.name, method=options.method, ran=True, notes=[note])
