"""``denoise``: remove noise when there is enough of it.

The noise level is ``denoise.sigma`` when given, else the photo's estimate (computed on demand,
so the stage works alone). Methods: ``restora`` (catalogue entry ``denoise.blind_color``, a
blind network: the level only decides whether it runs) and ``nlm`` (OpenCV non-local means at
that level); ``auto`` is the network when installed, else non-local means.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from restora.models.catalogue import load
from restora.models.descriptor import ModelDescriptor
from restora.ops.denoise import nlm_denoise
from restora.pipeline.context import RunContext
from restora.pipeline.methods import Method, pick
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec
from restora.pipeline.stages.base import Stage
from restora.pipeline.strategies import run_tiled

NETWORK = "denoise.blind_color"
METHODS = (Method("restora", NETWORK), Method("nlm"))
_NLM_OVERLAP, _NLM_BYTES_PER_PIXEL = 32, 48.0


def network_denoiser(*, monochrome: bool) -> Callable[[torch.Tensor], torch.Tensor]:
    """restora's blind denoiser as a function of ``(B, 3, H, W)`` in [0, 1] (same shape back).
    ``monochrome`` photos go through as one luma image in all three channels and come back gray."""
    network = load(NETWORK)
    assert isinstance(network, ModelDescriptor)

    def denoise(image: torch.Tensor) -> torch.Tensor:
        if monochrome:
            image = image.mean(1, keepdim=True).expand(-1, 3, -1, -1)
        out = network(image.float())
        return out.mean(1, keepdim=True).expand(-1, 3, -1, -1) if monochrome else out

    return denoise


class DenoiseStage(Stage):
    name = "denoise"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.denoise
        if options.method == "none":
            return self.skip("none", "denoising turned off")
        method, notes = pick(self.name, options.method, METHODS)
        sigma, source = options.sigma, "given"
        if sigma is None:
            sigma, source = restoration.analysis.noise_sigma, "estimated"
        if sigma < options.threshold:
            return self.skip(
                method.name,
                f"{source} noise sigma {sigma:.1f}/255 is below the threshold "
                f"{options.threshold}: image left unchanged",
            )
        if options.strength == 0:
            return self.skip(method.name, "denoise.strength is 0: image left unchanged")
        image = restoration.image
        if method.model is not None:
            network = load(method.model)
            assert isinstance(network, ModelDescriptor)
            monochrome = restoration.analysis.tone == "monochrome"  # toned photos keep their tint
            denoise = network_denoiser(monochrome=monochrome)
            overlap, bytes_per_pixel, align = (
                network.tile_overlap,
                network.bytes_per_pixel,
                network.tile_align,
            )
            note = f"restora's blind network ({source} sigma {sigma:.1f}/255"
            note += ", as monochrome)" if monochrome else ")"
        else:

            def denoise(tile: torch.Tensor) -> torch.Tensor:
                return nlm_denoise(tile, sigma=sigma / 255.0)

            overlap, bytes_per_pixel, align = _NLM_OVERLAP, _NLM_BYTES_PER_PIXEL, 1
            note = f"non-local means at {source} sigma {sigma:.1f}/255"
        result, _ = run_tiled(
            denoise,
            image,
            ctx,
            what="denoise",
            overlap=overlap,
            bytes_per_pixel=bytes_per_pixel,
            align=align,
        )
        result = result.clamp(0, 1)
        if options.strength < 1:
            result = torch.lerp(image, result, options.strength)
            note += f", blended at strength {options.strength:g}"
        restoration.image = result
        return StageRecord(stage=self.name, method=method.name, ran=True, notes=[note, *notes])
