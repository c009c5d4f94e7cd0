"""A differentiable downscaler for super-resolution losses: MATLAB-style ``imresize`` weights
applied as two dense matrix products (precomputed once per image size)."""

from __future__ import annotations

import torch
from torch import nn

from restora.core.checks import check_shape
from restora.ops.resize import KERNELS, contributions

__all__ = ["Downsampler"]


def _matrix(in_length: int, out_length: int, kernel: str) -> torch.Tensor:
    weights, indices = contributions(in_length, out_length, out_length / in_length, kernel, True)
    matrix = torch.zeros(out_length, in_length, dtype=torch.float64)
    matrix.scatter_add_(1, torch.from_numpy(indices), torch.from_numpy(weights))
    return matrix


class Downsampler(nn.Module):
    """``(B, C, H, W) -> (B, C, h, w)`` as :func:`restora.ops.resize.imresize` with
    ``size=(h, w)`` and antialiasing (MATLAB's default), but with the weights built once.

    Linear in the input, so gradients flow to it (used inside the DIP super-resolution loss).
    ``kernel`` is one of ``restora.ops.resize.KERNELS`` ("cubic", "lanczos2", "lanczos3", ...).
    Works in the input's dtype and device.

    >>> down = Downsampler((8, 12), (2, 3), kernel="cubic")
    >>> tuple(down(torch.rand(1, 3, 8, 12)).shape)
    (1, 3, 2, 3)
    """

    rows: torch.Tensor
    cols: torch.Tensor

    def __init__(self, in_size: tuple[int, int], out_size: tuple[int, int], *, kernel: str) -> None:
        super().__init__()
        if kernel not in KERNELS:
            raise ValueError(f"unknown kernel {kernel!r}; choose from {sorted(KERNELS)}")
        if min(*in_size, *out_size) < 1:
            raise ValueError(f"sizes must be positive, got {in_size} -> {out_size}")
        self.in_size = (int(in_size[0]), int(in_size[1]))
        self.out_size = (int(out_size[0]), int(out_size[1]))
        self.register_buffer("rows", _matrix(in_size[0], out_size[0], kernel), persistent=False)
        self.register_buffer("cols", _matrix(in_size[1], out_size[1], kernel), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_shape(x, ["B", "C", "H", "W"], "x")
        if tuple(x.shape[-2:]) != self.in_size:
            raise ValueError(f"expected an input of size {self.in_size}, got {tuple(x.shape[-2:])}")
        rows = self.rows.to(x.device, x.dtype)
        cols = self.cols.to(x.device, x.dtype)
        return rows @ x @ cols.T
