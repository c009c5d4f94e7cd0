"""Rectangles that cover the holes of a mask, so work can be spent only where the holes are."""

from __future__ import annotations

import cv2
import numpy as np
import torch

from restora.core.checks import check_shape

__all__ = ["Region", "hole_regions"]

Region = tuple[int, int, int, int]  # (y0, y1, x0, x1), end-exclusive


def hole_regions(mask: torch.Tensor, *, cell: int) -> list[Region]:
    """Rectangles of at most ``cell x cell`` pixels that together cover every hole of ``mask``.

    ``mask`` ``(1, 1, H, W)``, hole where > 0.5. Each 8-connected hole component contributes its
    bounding box; a box larger than ``cell`` on a side is cut into pieces on a ``cell`` grid
    anchored at the box's corner, and only pieces that hold a pixel of that component are kept.
    Rectangles may overlap (a speck inside a long scratch's box); their union holds every hole
    pixel. Order: by component, top to bottom.

    >>> m = torch.zeros(1, 1, 40, 60)
    >>> m[..., 2:5, 3:9] = 1
    >>> m[..., 20:38, 50] = 1
    >>> hole_regions(m, cell=16)
    [(2, 5, 3, 9), (20, 36, 50, 51), (36, 38, 50, 51)]
    """
    check_shape(mask, ["1", "1", "H", "W"], "mask")
    if cell < 1:
        raise ValueError(f"cell must be >= 1, got {cell}")
    holes = (mask[0, 0] > 0.5).cpu().numpy().astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(holes, connectivity=8)
    regions: list[Region] = []
    for label in range(1, count):
        x, y, w, h = (int(v) for v in stats[label, :4])
        for y0 in range(y, y + h, cell):
            for x0 in range(x, x + w, cell):
                y1, x1 = min(y0 + cell, y + h), min(x0 + cell, x + w)
                if w <= cell and h <= cell or bool((labels[y0:y1, x0:x1] == label).any()):
                    regions.append((y0, y1, x0, x1))
    return regions
