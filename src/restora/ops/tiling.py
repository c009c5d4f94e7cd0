"""Process large images tile by tile under a memory budget, blending overlaps with feathered weights.

Every stage uses the same pieces: ``choose_tile_size`` turns a memory budget into a tile size,
``plan_tiles`` lays tiles over the image, and ``tiled_apply`` runs a function on each tile and
blends the results into one preallocated output.

Blending. Neighbouring tiles share at least ``overlap`` pixels. Inside a shared band of length
``o`` each tile ignores its outer ``o // 4`` pixels (weight 0 there, where a convolution with
padding is wrong), then the two weights ramp linearly and sum to one. A local operator whose
receptive radius is at most ``overlap // 4`` (e.g. a 9x9 filter with ``overlap >= 16``) therefore
gives the same result tiled as untiled, up to float rounding. At image borders weights are never
zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from restora.core.checks import check_shape

__all__ = ["Tile", "choose_tile_size", "feather_weights", "plan_tiles", "tiled_apply"]


@dataclass(frozen=True)
class Tile:
    """One tile of an image, in input pixel coordinates (end-exclusive).

    ``y0:y1, x0:x1`` is the region the function sees (overlap included). ``core_*`` is the part
    this tile owns: the cores of all tiles partition the image (cuts at the middle of each
    overlap). ``overlap_top`` etc. are the lengths shared with the neighbour on that side
    (0 at an image border); they drive the feathered weights.
    """

    y0: int
    y1: int
    x0: int
    x1: int
    core_y0: int
    core_y1: int
    core_x0: int
    core_x1: int
    overlap_top: int = 0
    overlap_bottom: int = 0
    overlap_left: int = 0
    overlap_right: int = 0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def width(self) -> int:
        return self.x1 - self.x0


def _axis_starts(size: int, tile: int, overlap: int, align: int = 1) -> tuple[list[int], int]:
    """Evenly spaced tile starts along one axis (multiples of ``align``) and the tile length.

    The fewest tiles of at most ``tile`` pixels are used, then shrunk to the shortest length at
    which neighbours still share at least ``overlap`` pixels, so no work is spent on overlap
    beyond what was asked for (6000 px in tiles of 1232 with overlap 96 and align 8: six tiles
    of 1086 px instead of 1232)."""
    if size <= tile:
        return [0], size
    slack = overlap + align - 1  # rounding a start down to ``align`` costs < align px
    step = tile - slack
    if step < 1:
        raise ValueError(f"tile {tile} is too small for overlap {overlap} and align {align}")
    count = max(2, math.ceil((size - tile) / step) + 1)
    tile = min(tile, math.ceil((size + (count - 1) * slack) / count))
    span = size - tile
    # floor keeps consecutive gaps <= tile - slack, so every shared band is >= overlap long
    return [((i * span) // (count - 1)) // align * align for i in range(count)], tile


def _axis_segments(
    size: int, tile: int, overlap: int, align: int = 1
) -> list[tuple[int, int, int, int, int, int]]:
    """Per tile along one axis: (start, end, core_start, core_end, overlap_before, overlap_after)."""
    starts, tile = _axis_starts(size, tile, overlap, align)
    ends = [min(s + tile, size) for s in starts]
    ends[-1] = size  # an aligned last tile may be up to ``align - 1`` px longer than ``tile``
    segments = []
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        before = ends[i - 1] - start if i > 0 else 0
        after = end - starts[i + 1] if i + 1 < len(starts) else 0
        core_start = (start + ends[i - 1]) // 2 if i > 0 else 0
        core_end = (starts[i + 1] + end) // 2 if i + 1 < len(starts) else size
        segments.append((start, end, core_start, core_end, before, after))
    return segments


def plan_tiles(height: int, width: int, *, tile: int, overlap: int, align: int = 1) -> list[Tile]:
    """Lay tiles of at most ``tile x tile`` pixels over a ``height x width`` image, row by row.

    The fewest tiles that cover each axis are spread evenly so the last one ends at the border,
    each as short as possible while neighbours still share at least ``overlap`` pixels. An
    image no larger than ``tile`` gets a single tile covering it.
    ``align`` > 1 puts every tile start on a multiple of ``align`` (networks that downsample by
    ``align`` are only shift-equivariant for such shifts); the last tile of a row or column
    may then be up to ``align - 1`` pixels longer than ``tile``.

    >>> [(t.y0, t.y1, t.x0, t.x1) for t in plan_tiles(100, 60, tile=64, overlap=16)]
    [(0, 58, 0, 60), (42, 100, 0, 60)]
    """
    if height < 1 or width < 1:
        raise ValueError(f"image size must be positive, got {height}x{width}")
    if tile < 1:
        raise ValueError(f"tile must be >= 1, got {tile}")
    if not 0 <= overlap < tile:
        raise ValueError(f"overlap must be in [0, tile), got overlap={overlap}, tile={tile}")
    if align < 1:
        raise ValueError(f"align must be >= 1, got {align}")
    rows = _axis_segments(height, tile, overlap, align)
    cols = _axis_segments(width, tile, overlap, align)
    return [
        Tile(y0, y1, x0, x1, cy0, cy1, cx0, cx1, top, bottom, left, right)
        for (y0, y1, cy0, cy1, top, bottom) in rows
        for (x0, x1, cx0, cx1, left, right) in cols
    ]


def _ramp(length: int, before: int, after: int, *, device: torch.device | None) -> torch.Tensor:
    """1-D weights: 1 in the middle, rising over the first ``before`` and falling over the last
    ``after`` samples; the outer quarter of each band is 0 and the ramp is linear in between."""
    weights = torch.ones(length, dtype=torch.float32, device=device)
    position = torch.arange(length, dtype=torch.float32, device=device) + 0.5
    for band, distance in ((before, position), (after, length - position)):
        if band <= 0:
            continue
        margin = band // 4
        width = max(band - 2 * margin, 1)
        weights = weights * ((distance - margin) / width).clamp(0.0, 1.0)
    return weights


def feather_weights(
    height: int,
    width: int,
    *,
    top: int = 0,
    bottom: int = 0,
    left: int = 0,
    right: int = 0,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Separable blending weights ``(height, width)`` float32 in [0, 1] for one tile.

    ``top`` etc. are the lengths (in the tile's own pixels) shared with the neighbour on that
    side; 0 means an image border, where the weight stays 1. Complementary ramps of two
    neighbours sum to 1 across their shared band.

    >>> feather_weights(4, 8, right=8)[0]
    tensor([1.0000, 1.0000, 0.8750, 0.6250, 0.3750, 0.1250, 0.0000, 0.0000])
    """
    device = torch.device(device) if device is not None else None
    rows = _ramp(height, top, bottom, device=device)
    cols = _ramp(width, left, right, device=device)
    return rows[:, None] * cols[None, :]


def _call(fn: Callable[..., torch.Tensor], image: torch.Tensor, extra: torch.Tensor | None):
    return fn(image) if extra is None else fn(image, extra)


def _check_tile_output(out: torch.Tensor, expected: tuple[int, int, int], channels: int | None):
    batch, height, width = expected
    if not isinstance(out, torch.Tensor) or out.ndim != 4:
        raise ValueError(f"fn must return a (B, C, H, W) tensor, got {getattr(out, 'shape', out)}")
    if (out.shape[0], out.shape[2], out.shape[3]) != (batch, height, width):
        raise ValueError(
            f"fn returned {tuple(out.shape)} for a tile; expected ({batch}, C, {height}, {width})"
        )
    if channels is not None and out.shape[1] != channels:
        raise ValueError(f"fn returned {out.shape[1]} channels, expected out_channels={channels}")


def tiled_apply(
    fn: Callable[..., torch.Tensor],
    image: torch.Tensor,
    *,
    tile: int,
    overlap: int = 32,
    scale: int = 1,
    extra: torch.Tensor | None = None,
    out_channels: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    align: int = 1,
) -> torch.Tensor:
    """Apply ``fn`` tile by tile and blend the results with feathered weights.

    Args:
        fn: ``fn(tile_image)`` or, with ``extra``, ``fn(tile_image, tile_extra)``; returns
            ``(B, C', h * scale, w * scale)`` for an input tile ``(B, C, h, w)``. It may run on
            another device; results are moved to ``image``'s device.
        image: ``(B, C, H, W)`` float (usually ``B = 1``).
        tile: largest tile side in input pixels (overlap included).
        overlap: pixels shared by neighbouring tiles; results are exact for local operators
            whose receptive radius is at most ``overlap // 4`` (see the module docstring).
        scale: integer output/input size ratio (2 for a x2 upscaler).
        extra: optional ``(B, C2, H, W)`` tensor (e.g. a mask) cut into the same tiles.
        out_channels: expected ``C'`` (checked); inferred from the first tile when None.
        progress: called as ``progress(done, total)`` after each tile.
        align: tile starts are multiples of this (see :func:`plan_tiles`); use the network's
            total downsampling factor for strided or pixel-unshuffling networks.

    Returns:
        ``(B, C', H * scale, W * scale)`` float32 on ``image``'s device, detached. When one tile
        covers the image, ``fn`` is called once on the whole image and its result returned.

    >>> up = lambda x: torch.nn.functional.interpolate(x, scale_factor=2, mode="nearest")
    >>> tiled_apply(up, torch.rand(1, 3, 100, 70), tile=48, overlap=16, scale=2).shape
    torch.Size([1, 3, 200, 140])
    """
    check_shape(image, ["B", "C", "H", "W"], "image")
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    batch, _, height, width = image.shape
    if extra is not None:
        check_shape(extra, ["B", "C", "H", "W"], "extra")
        if extra.shape[0] != batch or extra.shape[-2:] != image.shape[-2:]:
            raise ValueError(
                f"extra {tuple(extra.shape)} must match image {tuple(image.shape)} in B, H, W"
            )
    tiles = plan_tiles(height, width, tile=tile, overlap=overlap, align=align)
    total = len(tiles)

    if total == 1:
        out = _call(fn, image, extra)
        _check_tile_output(out, (batch, height * scale, width * scale), out_channels)
        if progress is not None:
            progress(1, 1)
        return out.detach().to(image.device, torch.float32)

    output: torch.Tensor | None = None
    weight_sum = torch.zeros(1, 1, height * scale, width * scale, device=image.device)
    for done, t in enumerate(tiles, start=1):
        region = (slice(None), slice(None), slice(t.y0, t.y1), slice(t.x0, t.x1))
        tile_extra = extra[region] if extra is not None else None
        out = _call(fn, image[region], tile_extra)
        _check_tile_output(out, (batch, t.height * scale, t.width * scale), out_channels)
        if output is None:
            out_channels = out.shape[1]
            output = torch.zeros(
                batch, out_channels, height * scale, width * scale, device=image.device
            )
        weights = feather_weights(
            t.height * scale,
            t.width * scale,
            top=t.overlap_top * scale,
            bottom=t.overlap_bottom * scale,
            left=t.overlap_left * scale,
            right=t.overlap_right * scale,
            device=image.device,
        )
        ys = slice(t.y0 * scale, t.y1 * scale)
        xs = slice(t.x0 * scale, t.x1 * scale)
        output[:, :, ys, xs].addcmul_(out.detach().to(image.device, torch.float32), weights)
        weight_sum[:, :, ys, xs] += weights
        del out
        if progress is not None:
            progress(done, total)
    assert output is not None
    return output.div_(weight_sum)


def choose_tile_size(
    height: int,
    width: int,
    *,
    bytes_per_pixel: float,
    budget_bytes: int,
    overlap: int,
    multiple_of: int = 8,
    minimum: int = 64,
) -> int | None:
    """Largest tile side whose tiles fit ``budget_bytes``; None when the whole image fits.

    ``bytes_per_pixel`` is the peak memory per *input* pixel of a tile (activations, output at
    ``scale**2`` included: the model descriptor's estimate). Tiles are clipped to the image, so a
    thin image may get a tile longer than ``sqrt(budget / bytes_per_pixel)``. The result is a
    multiple of ``multiple_of``, at least ``minimum`` and larger than ``overlap``; a budget too
    small for such a tile raises ``ValueError`` (no silent overrun).

    >>> choose_tile_size(4000, 3000, bytes_per_pixel=400.0, budget_bytes=2**30, overlap=32)
    1632
    >>> choose_tile_size(500, 300, bytes_per_pixel=400.0, budget_bytes=2**30, overlap=32) is None
    True
    """
    if height < 1 or width < 1:
        raise ValueError(f"image size must be positive, got {height}x{width}")
    if bytes_per_pixel <= 0 or budget_bytes <= 0:
        raise ValueError("bytes_per_pixel and budget_bytes must be positive")
    if multiple_of < 1 or minimum < 1 or overlap < 0:
        raise ValueError("multiple_of and minimum must be >= 1 and overlap >= 0")
    if height * width * bytes_per_pixel <= budget_bytes:
        return None
    pixels = budget_bytes / bytes_per_pixel
    short = min(height, width)
    side = math.isqrt(int(pixels))
    if side >= short:  # tiles span the short side entirely: only the long side is cut
        side = int(pixels // short)
    side -= side % multiple_of
    smallest = max(minimum, overlap + 1)
    if side < smallest:
        need = min(smallest, height) * min(smallest, width) * bytes_per_pixel
        raise ValueError(
            f"memory budget {budget_bytes} B is too small: the smallest tile ({smallest} px, "
            f"overlap {overlap}) needs {need:.0f} B at {bytes_per_pixel} B/pixel"
        )
    return side
