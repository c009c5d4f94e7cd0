"""``denoise``: remove noise when ``analyze`` (or the user) says there is enough of it."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import torch

from restora.ops.denoise import nlm_denoise
from restora.ops.tiling import tiled_apply
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage

# (overlap, bytes of working memory per input pixel, tile alignment) for each method. The
# network's memory was measured on CPU (about 380 B/px at 512^2 incl. allocator slack); it works
# down to 1/8 scale, so tiles start on multiples of 8 and share a wide band.
_TILING = {"nlm": (32, 48.0, 1), "restora": (128, 400.0, 8)}


@lru_cache(maxsize=1)
def _restora_model() -> torch.nn.Module:
    from restora.models.denoise.restora_denoiser import load_pretrained

    return load_pretrained()


def restora_denoise(image: torch.Tensor, *, monochrome: bool = False) -> torch.Tensor:
    """restora's blind denoiser on ``(B, 3, H, W)`` in [0, 1]; returns the same shape in [0, 1].

    ``monochrome`` photos go through as one luma image in all three channels and come back gray.
    """
    model = _restora_model()
    if monochrome:
        image = image.mean(1, keepdim=True).expand(-1, 3, -1, -1)
    with torch.inference_mode():
        out = model(image.float())
    if monochrome:
        out = out.mean(1, keepdim=True).expand(-1, 3, -1, -1)
    return out.clamp(0, 1)


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
        if options.strength == 0:
            return self.skip(options.method, "denoise.strength is 0: image left unchanged")
        image = restoration.image
        h, w = image.shape[-2:]
        denoise: Callable[[torch.Tensor], torch.Tensor]
        if options.method == "restora":
            monochrome = restoration.flags.get("tone") == "monochrome"  # sepia keeps its tint

            def denoise(tile: torch.Tensor) -> torch.Tensor:
                return restora_denoise(tile, monochrome=monochrome)

            note = f"restora's blind network ({source} sigma {sigma:.1f}/255"
            note += ", as monochrome)" if monochrome else ")"
        else:

            def denoise(tile: torch.Tensor) -> torch.Tensor:
                return nlm_denoise(tile, sigma=sigma / 255.0)

            note = f"non-local means at {source} sigma {sigma:.1f}/255"
        overlap, bytes_per_pixel, align = _TILING[options.method]
        tile = ctx.tile_size(h, w, bytes_per_pixel=bytes_per_pixel, overlap=overlap)
        if tile is not None:
            tile = max(tile, 3 * overlap)  # smaller tiles would be mostly overlap
        if tile is None:
            result = denoise(image)
        else:
            result = tiled_apply(
                denoise,
                image,
                tile=tile,
                overlap=overlap,
                align=align,
                progress=ctx.tile_progress("denoise"),
            ).clamp_(0, 1)
        if options.strength < 1:
            result = torch.lerp(image, result, options.strength)
            note += f", blended at strength {options.strength:g}"
        restoration.image = result
        return StageRecord(stage=self.name, method=options.method, ran=True, notes=[note])
