"""``upscale``: Lanczos / MATLAB bicubic, or an OpenCV dnn_superres model given by file."""

from __future__ import annotations

from collections.abc import Callable

import torch

from restora.models.sr.opencv_dnn import OpenCVSuperRes
from restora.ops.resize import imresize
from restora.ops.tiling import tiled_apply
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec, UpscaleSpec
from restora.pipeline.stages.base import Stage

_OVERLAP = 16


def build_upscaler(options: UpscaleSpec) -> tuple[Callable[[torch.Tensor], torch.Tensor], str]:
    """The per-tile upscaling function for ``options`` and a short description of it."""
    scale = options.scale
    if options.method == "opencv":
        model = OpenCVSuperRes(options.model or "")
        if model.scale != scale:
            raise ValueError(
                f"{model.path.name} upscales x{model.scale}, but upscale.scale is {scale}"
            )
        return model, f"OpenCV {model.algorithm} x{scale}"
    kernel = "lanczos3" if options.method == "lanczos" else "cubic"
    return (lambda tile: imresize(tile, scale=scale, kernel=kernel)), f"{options.method} x{scale}"


class UpscaleStage(Stage):
    name = "upscale"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.upscale
        if options.scale == 1:
            return self.skip(options.method, "scale 1: size kept")
        upscale, label = build_upscaler(options)
        image = restoration.image
        h, w = image.shape[-2:]
        bytes_per_pixel = (
            4.0 * 3 * (2 + options.scale**2) * (8 if options.method == "opencv" else 1)
        )
        tile = ctx.tile_size(h, w, bytes_per_pixel=bytes_per_pixel, overlap=_OVERLAP)
        if tile is None:
            out = upscale(image)
        else:
            out = tiled_apply(
                upscale,
                image,
                tile=tile,
                overlap=_OVERLAP,
                scale=options.scale,
                progress=ctx.tile_progress("upscale"),
            )
        restoration.image = out.clamp_(0, 1)
        if restoration.alpha is not None:
            alpha = imresize(restoration.alpha, scale=options.scale, kernel="cubic")
            restoration.alpha = alpha.clamp_(0, 1)
        notes = [f"{label}: {w}x{h} -> {w * options.scale}x{h * options.scale}"]
        if tile is not None:
            notes.append(f"tiles of {tile} px")
        return StageRecord(stage=self.name, method=options.method, ran=True, notes=notes)
