"""Total variation (anisotropic L1), optionally restricted to a region (Liu et al.'s TV term)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from restora.core.checks import check_mask, check_shape


def tv_loss(x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Anisotropic L1 total variation, normalized by the number of elements of ``x``::

        tv = (sum |x[..., i, j+1] - x[..., i, j]| * m_h + sum |x[..., i+1, j] - x[..., i, j]| * m_v)
             / (B * C * H * W)

    Without ``mask`` every neighbour pair counts (``m = 1``). With ``mask`` (``(B, 1, H, W)`` in
    [0, 1], 1 = inside the region) a pair counts with the product of its two mask values, i.e. for
    a binary mask only pairs whose both pixels lie in the region — Liu et al.'s ``P``. Their TV
    term is ``tv_loss(composite, dilate_mask(mask_hole))`` with the same normalization
    ``N = C * H * W`` per image (the result is the batch mean).

    Args:
        x: ``(B, C, H, W)`` float image.
        mask: optional ``(B, 1, H, W)`` region mask.

    >>> tv_loss(torch.tensor([[[[0.0, 1.0], [0.0, 1.0]]]]))
    tensor(0.5000)
    """
    check_shape(x, ["B", "C", "H", "W"], "x")
    dh = (x[..., :, 1:] - x[..., :, :-1]).abs()
    dv = (x[..., 1:, :] - x[..., :-1, :]).abs()
    if mask is not None:
        check_mask(mask, x, "mask")
        m = mask.to(x.dtype)
        dh = dh * (m[..., :, 1:] * m[..., :, :-1])
        dv = dv * (m[..., 1:, :] * m[..., :-1, :])
    return (dh.sum() + dv.sum()) / x.numel()


def dilate_mask(mask: torch.Tensor, *, pixels: int = 1) -> torch.Tensor:
    """Dilate a ``(B, 1, H, W)`` mask by ``pixels`` with a square ``(2p+1) x (2p+1)`` element.

    ``dilate_mask(mask_hole)`` is the 1-pixel dilation of the hole region Liu et al. take the TV
    loss over. Soft masks are dilated as a max filter. Not differentiable in a useful way.
    """
    check_mask(mask, name="mask")
    if pixels < 0:
        raise ValueError(f"pixels must be >= 0, got {pixels}")
    if pixels == 0:
        return mask
    return F.max_pool2d(mask, kernel_size=2 * pixels + 1, stride=1, padding=pixels)
