"""Large-image strategies that are not plain tiling: work only where the mask has holes."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

InpaintFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


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
    progress: Callable[[int, int], None] | None = None,
) -> torch.Tensor:
    """Inpaint only the parts of the image that have holes (IOPaint's crop strategy, on a grid).

    The image is cut into ``cell``-sized squares; each square holding any hole is inpainted
    with ``margin`` pixels of context around it, and only its hole pixels are pasted back.
    Squares without holes are never touched, so a huge scan with a few scratches is cheap.

    Args:
        fn: ``fn(image_crop (1,3,h,w), mask_crop (1,1,h,w)) -> (1,3,h,w)``.
        image: ``(1, 3, H, W)`` float in [0, 1].
        mask: ``(1, 1, H, W)`` with 1 = hole.
    Returns:
        ``(1, 3, H, W)``: ``image`` with hole pixels replaced; known pixels are exactly kept.
    """
    _, _, h, w = image.shape
    holes = mask > 0.5
    if not bool(holes.any()):
        return image
    if h <= cell and w <= cell:
        return torch.where(holes, fn(image, mask), image)
    cells = [
        (y, x)
        for y in range(0, h, cell)
        for x in range(0, w, cell)
        if bool(holes[..., y : y + cell, x : x + cell].any())
    ]
    out = image.clone()
    for done, (y, x) in enumerate(cells, 1):
        y0, y1 = max(0, y - margin), min(h, y + cell + margin)
        x0, x1 = max(0, x - margin), min(w, x + cell + margin)
        filled = fn(image[..., y0:y1, x0:x1], mask[..., y0:y1, x0:x1])
        cy, cx = y - y0, x - x0
        ch, cw = min(cell, h - y), min(cell, w - x)
        core = filled[..., cy : cy + ch, cx : cx + cw]
        region = out[..., y : y + ch, x : x + cw]
        region.copy_(torch.where(holes[..., y : y + ch, x : x + cw], core, region))
        if progress is not None:
            progress(done, len(cells))
    return out
