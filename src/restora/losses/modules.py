"""Thin ``nn.Module`` forms of the functional losses that carry options or buffers."""

from __future__ import annotations

import torch
import torch.nn as nn

from restora.losses.masked import hole_valid_l1
from restora.losses.pixel import charbonnier
from restora.losses.rebalance import rebalanced_cross_entropy
from restora.losses.segmentation import dice_loss
from restora.losses.variation import tv_loss


class CharbonnierLoss(nn.Module):
    """``forward(pred, target, weight=None)`` = mean :func:`charbonnier` with this ``eps``."""

    def __init__(self, *, eps: float = 1e-3) -> None:
        super().__init__()
        if eps <= 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        self.eps = eps

    def forward(
        self, pred: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None
    ) -> torch.Tensor:
        return charbonnier(pred, target, eps=self.eps, weight=weight)


class HoleValidL1Loss(nn.Module):
    """``forward(pred, target, mask_hole)`` = :func:`hole_valid_l1` with this ``alpha``."""

    def __init__(self, *, alpha: float = 6.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(
        self, pred: torch.Tensor, target: torch.Tensor, mask_hole: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        return hole_valid_l1(pred, target, mask_hole, alpha=self.alpha)


class TVLoss(nn.Module):
    """``forward(x, mask=None)`` = :func:`tv_loss`."""

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        return tv_loss(x, mask)


class DiceLoss(nn.Module):
    """``forward(logits, target)`` = :func:`dice_loss` with this ``smooth``."""

    def __init__(self, *, smooth: float = 1.0) -> None:
        super().__init__()
        self.smooth = smooth

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return dice_loss(logits, target, smooth=self.smooth)


class RebalancedCrossEntropyLoss(nn.Module):
    """``forward(logits, soft_targets)`` = :func:`rebalanced_cross_entropy` with class weights
    ``(Q,)`` held as a buffer (saved in the state dict, moved by ``.to``)."""

    weights: torch.Tensor

    def __init__(self, weights: torch.Tensor) -> None:
        super().__init__()
        if weights.ndim != 1:
            raise ValueError(f"weights must be (Q,), got {tuple(weights.shape)}")
        self.register_buffer("weights", weights.detach().clone().float())

    def forward(self, logits: torch.Tensor, soft_targets: torch.Tensor) -> torch.Tensor:
        return rebalanced_cross_entropy(logits, soft_targets, self.weights)
