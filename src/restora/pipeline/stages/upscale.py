"""``upscale``: restora's own SR network, Lanczos / MATLAB bicubic, or an OpenCV dnn_superres
graph given by file; tiled under the memory budget.

Methods (``upscale.method``; ``auto`` is the first installed): ``restora`` (catalogue entries
``sr.x<scale>_<variant>``: ``realistic`` first for ``variant = auto``, then ``bicubic``),
``lanczos``, ``bicubic``, ``opencv`` (``upscale.model``, never chosen by ``auto``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from restora.models.catalogue import CATALOGUE, load
from restora.models.descriptor import ModelDescriptor
from restora.models.sr.opencv_dnn import OpenCVSuperRes
from restora.ops.resize import imresize
from restora.pipeline.context import RunContext
from restora.pipeline.methods import Method, pick
from restora.pipeline.restoration import Restoration, StageRecord
from restora.pipeline.spec import PipelineSpec, UpscaleSpec
from restora.pipeline.stages.base import Stage
from restora.pipeline.strategies import run_tiled

_VARIANTS = {"auto": ("realistic", "bicubic"), "realistic": ("realistic",), "bicubic": ("bicubic",)}


@dataclass(frozen=True)
class Upscaler:
    """A per-tile upscaling function with what tiling it needs."""

    fn: Callable[[torch.Tensor], torch.Tensor]
    label: str
    method: str
    overlap: int  # input pixels shared by neighbouring tiles
    bytes_per_pixel: float  # working memory per *input* pixel


def methods(options: UpscaleSpec) -> list[Method]:
    """The candidates for ``options``: restora's shipped models for the scale and variant (in
    order of preference), then the classical resizers and OpenCV."""
    networks = [
        Method("restora", name)
        for variant in _VARIANTS[options.variant]
        if (name := f"sr.x{options.scale}_{variant}") in CATALOGUE
    ]
    if not networks:  # no entry at all: 'restora' is known but never available at this scale
        networks = [Method("restora", f"sr.x{options.scale}")]
    return [
        *networks,
        Method("lanczos"),
        Method("bicubic", auto=False),
        Method("opencv", auto=False),
    ]


def build_upscaler(options: UpscaleSpec) -> tuple[Upscaler, list[str]]:
    """The upscaler for ``options``, and notes on what ``auto`` passed over."""
    scale = options.scale
    method, notes = pick("upscale", options.method, methods(options))
    if method.model is not None:
        network = load(method.model)
        assert isinstance(network, ModelDescriptor)
        label = f"restora SR x{scale} ({method.model.split('_', 1)[1]})"
        upscaler = Upscaler(
            network, label, "restora", network.tile_overlap, network.bytes_per_pixel
        )
        return upscaler, notes
    if method.name == "opencv":
        model = OpenCVSuperRes(options.model or "")
        if model.scale != scale:
            raise ValueError(
                f"{model.path.name} upscales x{model.scale}, but upscale.scale is {scale}"
            )
        label = f"OpenCV {model.algorithm} x{scale}"
        return Upscaler(model, label, "opencv", 16, 4.0 * 3 * (2 + scale**2) * 8), notes
    kernel = "lanczos3" if method.name == "lanczos" else "cubic"

    def resize(tile: torch.Tensor) -> torch.Tensor:
        return imresize(tile, scale=scale, kernel=kernel)

    return Upscaler(
        resize, f"{method.name} x{scale}", method.name, 16, 12.0 * (2 + scale**2)
    ), notes


class UpscaleStage(Stage):
    name = "upscale"

    def run(self, restoration: Restoration, spec: PipelineSpec, ctx: RunContext) -> StageRecord:
        options = spec.upscale
        if options.scale == 1:
            return self.skip(options.method, "scale 1: size kept")
        upscaler, notes = build_upscaler(options)
        image = restoration.image
        h, w = image.shape[-2:]
        out, tile = run_tiled(
            upscaler.fn,
            image,
            ctx,
            what="upscale",
            overlap=upscaler.overlap,
            bytes_per_pixel=upscaler.bytes_per_pixel,
            scale=options.scale,
        )
        restoration.image = out.clamp_(0, 1)
        if restoration.alpha is not None:
            alpha = imresize(restoration.alpha, scale=options.scale, kernel="cubic")
            restoration.alpha = alpha.clamp_(0, 1)
        notes.append(f"{upscaler.label}: {w}x{h} -> {w * options.scale}x{h * options.scale}")
        if tile is not None:
            notes.append(f"tiles of {tile} px")
        return StageRecord(stage=self.name, method=upscaler.method, ran=True, notes=notes)
