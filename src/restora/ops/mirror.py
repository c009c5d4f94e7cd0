"""Test-time mirror augmentation: run a function on an image and its mirror images, average.

Used by restora's damage detector (logits) and inpainting network (fills). ``views`` is 1 (the
image as is), 2 (plus its left-right mirror) or 4 (plus the up-down mirror and both).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["MIRROR_VIEWS", "mirror_average", "views_within"]

MIRROR_VIEWS = (1, 2, 4)
_FLIPS = ((), (-1,), (-2,), (-2, -1))  # identity, left-right, up-down, both


def views_within(height: int, width: int, *, budget_mp: float) -> int:
    """The most views (4, 2 or 1) whose total work on a ``height x width`` image stays within
    ``budget_mp`` megapixel-views; always at least 1.

    >>> views_within(321, 481, budget_mp=0.8), views_within(512, 512, budget_mp=0.8)
    (4, 2)
    >>> views_within(4000, 6000, budget_mp=16)
    1
    """
    megapixels = height * width / 1e6
    return next((v for v in reversed(MIRROR_VIEWS) if v * megapixels <= budget_mp), 1)


def mirror_average(
    fn: Callable[..., torch.Tensor], *tensors: torch.Tensor, views: int
) -> torch.Tensor:
    """Mean over the first ``views`` mirror views of ``fn(*mirrored tensors)`` mapped back.

    Every tensor ``(..., H, W)`` is flipped the same way, ``fn``'s output (same ``H, W``) is
    flipped back, and the outputs are averaged. ``views=1`` is ``fn(*tensors)``.

    >>> x = torch.arange(6.0).reshape(1, 1, 2, 3)
    >>> bool(torch.equal(mirror_average(lambda t: t * 2, x, views=4), x * 2))
    True
    """
    if views not in MIRROR_VIEWS:
        raise ValueError(f"views must be one of {MIRROR_VIEWS}, got {views!r}")
    total = fn(*tensors)
    for dims in _FLIPS[1:views]:
        total = total + fn(*(t.flip(dims) for t in tensors)).flip(dims)
    return total / views if views > 1 else total
