"""Large-image strategies: tiles chosen from a descriptor's advice and the memory budget, and
work only where the mask has holes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch
import torch.nn.functional as F

from restora.ops.regions import hole_regions
from restora.ops.tiling import tiled_apply
from restora.pipeline.context import RunContext

InpaintFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def run_tiled(
    fn: Callable[[torch.Tensor], torch.Tensor],
    image: torch.Tensor,
    ctx: RunContext,
    *,
    what: str,
    overlap: int,
    bytes_per_pixel: float,
    align: int = 1,
    scale: int = 1,
    out_channels: int | None = None,
) -> tuple[torch.Tensor, int | None]:
    """``fn(image)`` in one call when it fits ``ctx``'s memory budget, else tile by tile
    (:func:`restora.ops.tiling.tiled_apply`, tiles of at least 4x ``overlap``); returns the
    result and the tile size used (None for one call). ``overlap``, ``bytes_per_pixel`` and
    ``align`` are the operator's advice (a descriptor's ``tile_overlap``, ``bytes_per_pixel``,
    ``tile_align``); ``what`` names the progress reports."""
    h, w = image.shape[-2:]
    tile = ctx.tile_size(h, w, bytes_per_pixel=bytes_per_pixel, overlap=overlap)
    if tile is None:
        return fn(image), None
    tile = max(tile, 4 * overlap)  # smaller tiles would be mostly overlap
    out = tiled_apply(
        fn,
        image,
        tile=tile,
        overlap=overlap,
        align=align,
        scale=scale,
        out_channels=out_channels,
        progress=ctx.tile_progress(what),
    )
    return out, tile


def dilate_mask(mask: torch.Tensor, pixels: int) -> torch.Tensor:
    """Grow a ``(B, 1, H, W)`` mask by ``pixels`` in every direction (square structuring element)."""
    if pixels <= 0:
        return mask
    return F.max_pool2d(mask, kernel_size=2 * pixels + 1, stride=1, padding=pixels)


def crop_around_mask(
    fn: InpaintFn,
    image: torch.Tensor,
    mask: torch.Tensor,
    *,
    cell: int = 1024,
    margin: int = 96,
    regions: Literal["components", "cells"] = "components",
    progress: Callable[[int, int], None] | None = None,
) -> torch.Tensor:
    """Inpaint only the parts of the image that have holes (IOPaint's crop strategy).

    ``regions="components"``: each hole component's bounding box (cut into pieces of at most
    ``cell`` px where it is larger, see :func:`restora.ops.regions.hole_regions`) is inpainted
    with ``margin`` pixels of context around it, so a scan with a few thin scratches costs the
    area around the scratches, not the whole photo. ``"cells"``: the image is cut into
    ``cell``-sized squares and each square holding any hole is inpainted with its margin (fewer,
    larger calls: for methods with a high cost per call, such as Deep Image Prior). Either
    way only hole pixels are pasted back, and an image no larger than ``cell`` is one call.

    Args:
        fn: ``fn(image_crop (1,3,h,w), mask_crop (1,1,h,w)) -> (1,3,h,w)``.
        image: ``(1, 3, H, W)`` float in [0, 1].
        mask: ``(1, 1, H, W)`` with 1 = hole.
    Returns:
        ``(1, 3, H, W)``: ``image`` with hole pixels replaced; known pixels are exactly kept.
    """
    if regions not in ("components", "cells"):
        raise ValueError(f"regions must be 'components' or 'cells', got {regions!r}")
    _, _, h, w = image.shape
    holes = mask > 0.5
    if not bool(holes.any()):
        return image
    if h <= cell and w <= cell:
        return torch.where(holes, fn(image, mask), image)
    if regions == "components":
        cores = hole_regions(mask, cell=cell)
    else:
        cores = [
            (y, min(y + cell, h), x, min(x + cell, w))
            for y in range(0, h, cell)
            for x in range(0, w, cell)
            if bool(holes[..., y : y + cell, x : x + cell].any())
        ]
    out = image.clone()
    for done, (cy0, cy1, cx0, cx1) in enumerate(cores, 1):
        y0, y1 = max(0, cy0 - margin), min(h, cy1 + margin)
        x0, x1 = max(0, cx0 - margin), min(w, cx1 + margin)
        filled = fn(image[..., y0:y1, x0:x1], mask[..., y0:y1, x0:x1])
        core = filled[..., cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
        region = out[..., cy0:cy1, cx0:cx1]
        region.copy_(torch.where(holes[..., cy0:cy1, cx0:cx1], core, region))
        if progress is not None:
            progress(done, len(cores))
    return out
