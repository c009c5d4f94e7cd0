"""``upscale``: restora's own SR network, Lanczos / MATLAB bicubic, or an OpenCV dnn_superres
graph given by file; tiled under the memory budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import torch

from restora.core.errors import RestoraError
from restora.models.sr.opencv_dnn import OpenCVSuperRes
from restora.ops.resize import imresize
from restora.ops.tiling import tiled_apply
from restora.pipeline.context import RunContext
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec, UpscaleSpec
from restora.pipeline.stages.base import Stage


@dataclass(frozen=True)
class Upscaler:
    """A per-tile upscaling function with what tiling it needs."""

    fn: Callable[[torch.Tensor], torch.Tensor]
    label: str
    method: str
    overlap: int  # input pixels shared by neighbouring tiles
    bytes_per_pixel: float  # working memory per *input* pixel


@lru_cache(maxsize=4)
def _restora_model(scale: int, variant: str) -> torch.nn.Module:
    from restora.models.sr.restora_sr import load_pretrained

    return load_pretrained(scale=scale, variant=variant)


def _restora_variant(scale: int, wanted: str) -> str | None:
    """The shipped variant to use for ``scale`` (``wanted`` or, for auto, realistic first)."""
    from restora.models.sr.restora_sr import pretrained_dir

    for variant in ("realistic", "bicubic") if wanted == "auto" else (wanted,):
        if (pretrained_dir(scale, variant) / "config.json").is_file():
            return variant
    return None


def _restora_upscaler(scale: int, variant: str) -> Upscaler:
    model = _restora_model(scale, variant)
    width = int(model.config.get("width", 64))

    def run(tile: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():  # not inference_mode: the stage clamps the result in place
            return model(tile.float())

    # features at the input size (~12 maps of ``width`` channels live at the peak) + the RGB
    # output; measured ~2240 B per input pixel for width 48 at x4 (CPU, incl. allocator slack)
    bytes_per_pixel = 4.0 * (12 * width + 3 * (2 + scale**2))
    label = f"restora SR x{scale} ({variant})"
    return Upscaler(run, label, "restora", overlap=32, bytes_per_pixel=bytes_per_pixel)


def build_upscaler(options: UpscaleSpec) -> tuple[Upscaler, str | None]:
    """The upscaler for ``options``, and a note when ``auto`` had to fall back."""
    scale = options.scale
    method, note = options.method, None
    if method in ("auto", "restora"):
        variant = _restora_variant(scale, options.variant)
        if variant is not None:
            return _restora_upscaler(scale, variant), None
        if method == "restora":
            raise RestoraError(
                f"restora ships no x{scale} SR weights (variant {options.variant}); "
                "use upscale.method lanczos or bicubic"
            )
        method, note = "lanczos", f"no restora SR weights for x{scale}: used Lanczos"
    if method == "opencv":
        model = OpenCVSuperRes(options.model or "")
        if model.scale != scale:
            raise ValueError(
                f"{model.path.name} upscales x{model.scale}, but upscale.scale is {scale}"
            )
        label = f"OpenCV {model.algorithm} x{scale}"
        return Upscaler(model, label, method, 16, 4.0 * 3 * (2 + scale**2) * 8), note
    kernel = "lanczos3" if method == "lanczos" else "cubic"

    def resize(tile: torch.Tensor) -> torch.Tensor:
        return imresize(tile, scale=scale, kernel=kernel)

    return Upscaler(resize, f"{method} x{scale}", method, 16, 4.0 * 3 * (2 + scale**2)), note


class UpscaleStage(Stage):
    name = "upscale"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.upscale
        if options.scale == 1:
            return self.skip(options.method, "scale 1: size kept")
        upscaler, fallback = build_upscaler(options)
        image = restoration.image
        h, w = image.shape[-2:]
        overlap = upscaler.overlap
        tile = ctx.tile_size(h, w, bytes_per_pixel=upscaler.bytes_per_pixel, overlap=overlap)
        if tile is not None:
            tile = max(tile, 4 * overlap)
        if tile is None:
            out = upscaler.fn(image)
        else:
            out = tiled_apply(
                upscaler.fn,
                image,
                tile=tile,
                overlap=overlap,
                scale=options.scale,
                progress=ctx.tile_progress("upscale"),
            )
        restoration.image = out.clamp_(0, 1)
        if restoration.alpha is not None:
            alpha = imresize(restoration.alpha, scale=options.scale, kernel="cubic")
            restoration.alpha = alpha.clamp_(0, 1)
        notes = [f"{upscaler.label}: {w}x{h} -> {w * options.scale}x{h * options.scale}"]
        if fallback:
            notes.insert(0, fallback)
        if tile is not None:
            notes.append(f"tiles of {tile} px")
        return StageRecord(stage=self.name, method=upscaler.method, ran=True, notes=notes)
