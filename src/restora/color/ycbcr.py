"""RGB <-> YCbCr, ITU-R BT.601 "studio swing", exactly as MATLAB's ``rgb2ycbcr``.

For R, G, B in [0, 1] (all in units of 1/255 of the MATLAB uint8 scale):

    Y  = (16  +  65.481 R + 128.553 G +  24.966 B) / 255    in [16/255, 235/255]
    Cb = (128 -  37.797 R -  74.203 G + 112.000 B) / 255    in [16/255, 240/255]
    Cr = (128 + 112.000 R -  93.786 G -  18.214 B) / 255    in [16/255, 240/255]

Multiply by 255 to get MATLAB's / skimage's 0..255 numbers. This Y is the one the
super-resolution protocol evaluates PSNR/SSIM on.
"""

from __future__ import annotations

import torch

from restora.color._checks import check_color_input

_MATRIX = (
    (65.481, 128.553, 24.966),
    (-37.797, -74.203, 112.0),
    (112.0, -93.786, -18.214),
)
_OFFSET = (16.0, 128.0, 128.0)


def _matrix() -> torch.Tensor:
    """The RGB -> YCbCr matrix, float64 on the CPU, [0, 1] scale."""
    return torch.tensor(_MATRIX, dtype=torch.float64) / 255.0


def _offset() -> torch.Tensor:
    return torch.tensor(_OFFSET, dtype=torch.float64) / 255.0


def _apply(matrix: torch.Tensor, offset: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``out[c] = sum_k matrix[c, k] x[k] + offset[c]`` over the channel axis of (B, 3, H, W)."""
    matrix = matrix.to(device=x.device, dtype=x.dtype)
    offset = offset.to(device=x.device, dtype=x.dtype)
    return torch.einsum("ck,bkhw->bchw", matrix, x) + offset.view(1, -1, 1, 1)


def rgb_to_ycbcr(image: torch.Tensor) -> torch.Tensor:
    """RGB -> YCbCr (BT.601 studio swing, MATLAB ``rgb2ycbcr`` on double input).

    Args:
        image: float ``(B, 3, H, W)`` RGB, nominally in [0, 1].

    Returns:
        float ``(B, 3, H, W)`` Y, Cb, Cr on the [0, 1] scale: Y in [16/255, 235/255],
        Cb and Cr in [16/255, 240/255] for inputs in [0, 1]. Not clamped.

    >>> y = rgb_to_ycbcr(torch.ones(1, 3, 1, 1)) * 255   # white
    >>> [round(v, 3) for v in y.flatten().tolist()]
    [235.0, 128.0, 128.0]
    """
    check_color_input(image)
    return _apply(_matrix(), _offset(), image)


def ycbcr_to_rgb(image: torch.Tensor) -> torch.Tensor:
    """YCbCr (as produced by :func:`rgb_to_ycbcr`) -> RGB; the exact inverse, not clamped.

    Args:
        image: float ``(B, 3, H, W)`` Y, Cb, Cr on the [0, 1] scale.

    Returns:
        float ``(B, 3, H, W)`` RGB, in [0, 1] for YCbCr values that came from [0, 1] RGB.
    """
    check_color_input(image)
    inverse = torch.linalg.inv(_matrix())
    return _apply(inverse, -(inverse @ _offset()), image)


def rgb_to_y(image: torch.Tensor) -> torch.Tensor:
    """Y (luma) of :func:`rgb_to_ycbcr`: the channel the SR protocol measures PSNR/SSIM on.

    Args:
        image: float ``(B, 3, H, W)`` RGB, nominally in [0, 1].

    Returns:
        float ``(B, 1, H, W)`` with ``Y = (16 + 65.481 R + 128.553 G + 24.966 B) / 255``,
        in [16/255, 235/255] for inputs in [0, 1]; multiply by 255 for MATLAB's units.
    """
    check_color_input(image)
    return _apply(_matrix()[:1], _offset()[:1], image)
