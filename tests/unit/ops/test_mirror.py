"""``mirror_average``: the mean over mirror views, each output mapped back."""

from __future__ import annotations

import pytest
import torch

from restora.ops.mirror import mirror_average, views_within


def _shift_right(image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Not mirror-symmetric: copies each pixel from its left neighbour, scaled by the mask."""
    return torch.roll(image, 1, dims=-1) * (1 + mask)


def test_views_average_the_flipped_calls_mapped_back():
    g = torch.Generator().manual_seed(0)
    image, mask = torch.rand(1, 3, 5, 7, generator=g), torch.rand(1, 1, 5, 7, generator=g)
    one = _shift_right(image, mask)
    mirrored = torch.roll(image.flip(-1), 1, dims=-1).flip(-1) * (1 + mask)  # left shift
    assert torch.equal(mirror_average(_shift_right, image, mask, views=1), one)
    assert torch.allclose(mirror_average(_shift_right, image, mask, views=2), (one + mirrored) / 2)
    # up-down flips commute with a horizontal shift, so 4 views equal 2 here
    four = mirror_average(_shift_right, image, mask, views=4)
    assert torch.allclose(four, (one + mirrored) / 2, atol=1e-6)
    with pytest.raises(ValueError, match="views"):
        mirror_average(_shift_right, image, mask, views=3)


def test_views_within_the_budget():
    assert views_within(2000, 2000, budget_mp=16) == 4
    assert views_within(2000, 2001, budget_mp=16) == 2
    assert views_within(100, 100, budget_mp=0.0) == 1
