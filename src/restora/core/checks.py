"""Input checks for public boundaries (kornia style): clear messages, no silent fixes."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def check_shape(x: torch.Tensor, dims: Sequence[str], name: str = "input") -> None:
    """Check that ``x`` has ``len(dims)`` dimensions; integer-like entries must match exactly.

    >>> check_shape(torch.zeros(1, 3, 4, 4), ["B", "3", "H", "W"])
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if x.ndim != len(dims):
        raise ValueError(f"{name} must have shape ({', '.join(dims)}), got {tuple(x.shape)}")
    for size, dim in zip(x.shape, dims, strict=True):
        if dim.isdigit() and size != int(dim):
            raise ValueError(f"{name} must have shape ({', '.join(dims)}), got {tuple(x.shape)}")


def check_range(
    x: torch.Tensor, low: float, high: float, name: str = "input", eps: float = 1e-4
) -> None:
    """Check that every value of ``x`` lies in ``[low - eps, high + eps]``."""
    if x.numel() == 0:
        return
    lo, hi = float(x.min()), float(x.max())
    if lo < low - eps or hi > high + eps:
        raise ValueError(f"{name} values must be in [{low}, {high}], got [{lo:.4g}, {hi:.4g}]")


def check_image(x: torch.Tensor, name: str = "image", channels: int | None = 3) -> None:
    """Check the image contract: float ``(B, C, H, W)`` in [0, 1] (C = ``channels`` if given)."""
    check_shape(x, ["B", str(channels) if channels else "C", "H", "W"], name)
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {x.dtype}")
    check_range(x, 0.0, 1.0, name)


def check_mask(mask: torch.Tensor, image: torch.Tensor | None = None, name: str = "mask") -> None:
    """Check the mask contract: ``(B, 1, H, W)`` in [0, 1], 1 = hole, same size as ``image``."""
    check_shape(mask, ["B", "1", "H", "W"], name)
    check_range(mask.float(), 0.0, 1.0, name)
    if image is not None and mask.shape[-2:] != image.shape[-2:]:
        raise ValueError(
            f"{name} size {tuple(mask.shape[-2:])} (H, W) does not match image size "
            f"{tuple(image.shape[-2:])}"
        )
