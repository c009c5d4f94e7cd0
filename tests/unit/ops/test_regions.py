"""``hole_regions``: rectangles of bounded size whose union holds every hole pixel."""

from __future__ import annotations

import pytest
import torch

from restora.ops.regions import hole_regions


def _scratches_and_specks() -> torch.Tensor:
    mask = torch.zeros(1, 1, 300, 420)
    for i in range(280):  # a diagonal scratch, 2 px wide
        mask[..., 10 + i, 20 + i : 22 + i] = 1
    mask[..., 40:46, 380:387] = 1  # a speck
    mask[..., 200:203, 30:33] = 1  # another
    mask[..., 0:300, 410] = 1  # a vertical line along the right edge
    return mask


def test_regions_cover_every_hole_and_respect_the_cell():
    mask = _scratches_and_specks()
    regions = hole_regions(mask, cell=64)
    covered = torch.zeros_like(mask, dtype=torch.bool)
    for y0, y1, x0, x1 in regions:
        assert 0 < y1 - y0 <= 64 and 0 < x1 - x0 <= 64
        assert bool(mask[..., y0:y1, x0:x1].any())  # no empty piece
        covered[..., y0:y1, x0:x1] = True
    assert bool(covered[mask > 0.5].all())
    # far less area than the boxes: the diagonal's box is 280 x 282, its pieces follow it
    area = sum((y1 - y0) * (x1 - x0) for y0, y1, x0, x1 in regions)
    assert area < 0.35 * mask.numel(), area


def test_no_holes_no_regions_and_bad_arguments():
    assert hole_regions(torch.zeros(1, 1, 20, 20), cell=8) == []
    with pytest.raises(ValueError, match="cell"):
        hole_regions(torch.ones(1, 1, 4, 4), cell=0)
    with pytest.raises(ValueError, match="mask"):
        hole_regions(torch.ones(1, 3, 4, 4), cell=4)
