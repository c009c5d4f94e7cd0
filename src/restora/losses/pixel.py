"""Pixel losses: L1, MSE, Charbonnier, smooth L1 (Huber / beta). Each takes ``weight=`` and ``reduction=`` (see reduction.py).

Inputs are any matching shapes, usually ``(B, C, H, W)`` float images.
"""

from __future__ import annotations

import torch

from restora.losses.reduction import weighted_loss


@weighted_loss
def l1(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Absolute error ``|pred - target|``.

    >>> l1(torch.zeros(1, 1, 2, 2), torch.ones(1, 1, 2, 2))
    tensor(1.)
    """
    return (pred - target).abs()


@weighted_loss
def mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Squared error ``(pred - target)**2``."""
    return (pred - target).square()


@weighted_loss
def charbonnier(pred: torch.Tensor, target: torch.Tensor, eps: float = 1e-3) -> torch.Tensor:
    """Charbonnier (smooth L1) ``sqrt((pred - target)**2 + eps**2)`` as in LapSRN (eps = 1e-3).

    Pass ``eps`` by keyword: ``charbonnier(pred, target, eps=1e-6)``. Note the value at zero
    error is ``eps``, not 0.
    """
    if eps <= 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    return ((pred - target).square() + eps * eps).sqrt()


@weighted_loss
def smooth_l1(pred: torch.Tensor, target: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
    """Smooth L1: ``0.5 d**2 / beta`` for ``|d| < beta``, else ``|d| - 0.5 beta`` (``d`` =
    ``pred - target``; ``torch.nn.functional.smooth_l1_loss``). It equals the Huber loss with
    ``delta = beta`` divided by ``beta``, so it keeps the L1 scale for large errors.

    >>> smooth_l1(torch.zeros(2), torch.tensor([0.5, 3.0]), reduction="none").tolist()
    [0.125, 2.5]
    """
    if beta <= 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    diff = (pred - target).abs()
    return torch.where(diff < beta, 0.5 * diff.square() / beta, diff - 0.5 * beta)
