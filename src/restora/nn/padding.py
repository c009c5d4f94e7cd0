"""Pad a batch so its height and width meet size requirements, and crop back afterwards."""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["crop_to", "pad_to_multiple", "padded_size"]


def padded_size(size: int, *, multiple_of: int = 1, minimum: int = 1) -> int:
    """The smallest length ``>= max(size, minimum)`` that is a multiple of ``multiple_of``.

    >>> padded_size(37, multiple_of=16)
    48
    """
    if multiple_of < 1 or minimum < 1:
        raise ValueError(f"multiple_of and minimum must be >= 1, got {multiple_of}, {minimum}")
    target = max(size, minimum)
    return -(-target // multiple_of) * multiple_of


def pad_to_multiple(
    x: torch.Tensor, *, multiple_of: int = 1, minimum: int = 1, mode: str = "reflect"
) -> tuple[torch.Tensor, tuple[int, int]]:
    """Pad ``(B, C, H, W)`` at the bottom and right to the size rules; return it and ``(H, W)``.

    ``mode`` is ``"reflect"`` (default), ``"replicate"`` or ``"constant"`` (zeros). Reflection
    needs the padding to be smaller than the side it mirrors; where it is not (tiny inputs grown to
    a large multiple) the pad is done in reflect steps followed by replicate, so any size works.

    >>> y, (h, w) = pad_to_multiple(torch.zeros(1, 3, 37, 29), multiple_of=8)
    >>> tuple(y.shape), (h, w)
    ((1, 3, 40, 32), (37, 29))
    """
    if x.ndim != 4:
        raise ValueError(f"expected (B, C, H, W), got {tuple(x.shape)}")
    h, w = x.shape[-2:]
    ph = padded_size(h, multiple_of=multiple_of, minimum=minimum) - h
    pw = padded_size(w, multiple_of=multiple_of, minimum=minimum) - w
    if ph == 0 and pw == 0:
        return x, (h, w)
    if mode == "constant":
        return F.pad(x, (0, pw, 0, ph)), (h, w)
    if mode == "reflect":
        rh, rw = min(ph, h - 1), min(pw, w - 1)
        x = F.pad(x, (0, rw, 0, rh), mode="reflect") if rh or rw else x
        ph, pw = ph - rh, pw - rw
        if ph == 0 and pw == 0:
            return x, (h, w)
    elif mode != "replicate":
        raise ValueError(f"mode must be 'reflect', 'replicate' or 'constant', got {mode!r}")
    return F.pad(x, (0, pw, 0, ph), mode="replicate"), (h, w)


def crop_to(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """The top-left ``height x width`` window of ``(..., H, W)`` (undoes :func:`pad_to_multiple`)."""
    return x[..., :height, :width]
