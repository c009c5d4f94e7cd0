"""The ``weighted_loss`` decorator (BasicSR style): element-wise loss -> ``weight=``/``reduction=``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Literal

import torch

Reduction = Literal["mean", "sum", "none"]
REDUCTIONS = ("mean", "sum", "none")


def reduce_loss(
    loss: torch.Tensor, *, weight: torch.Tensor | None = None, reduction: Reduction = "mean"
) -> torch.Tensor:
    """Weight and reduce an element-wise loss map.

    Args:
        loss: element-wise loss, any shape (usually ``(B, C, H, W)``).
        weight: optional non-negative weights broadcastable to ``loss`` (e.g. a ``(B, 1, H, W)``
            mask); it is multiplied in element-wise.
        reduction: ``"none"`` returns ``loss * weight``; ``"sum"`` returns its sum; ``"mean"``
            returns the plain mean without ``weight`` and the **weighted mean** with it:
            ``sum(weight * loss) / sum(weight broadcast to loss.shape)`` — so a ``(B, 1, H, W)``
            weight counts once per channel, and an all-zero weight gives 0 (not NaN).

    >>> reduce_loss(torch.tensor([1.0, 3.0]), weight=torch.tensor([1.0, 0.0]))
    tensor(1.)
    """
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if weight is None:
        if reduction == "mean":
            return loss.mean()
        return loss.sum() if reduction == "sum" else loss
    weight = weight.to(loss.dtype)
    weighted = loss * weight
    if reduction == "none":
        return weighted
    total = weighted.sum()
    if reduction == "sum":
        return total
    count = torch.broadcast_to(weight, weighted.shape).sum()
    # all weights zero -> total is 0 as well, so the clamp turns 0/0 into 0
    return total / count.clamp_min(torch.finfo(count.dtype).tiny)


def weighted_loss(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """Give an element-wise loss ``fn(pred, target, **options) -> Tensor`` the keyword-only
    arguments ``weight=None`` and ``reduction="mean"`` (see :func:`reduce_loss`).

    >>> @weighted_loss
    ... def absdiff(pred, target):
    ...     return (pred - target).abs()
    >>> absdiff(torch.zeros(2), torch.tensor([1.0, 3.0]), reduction="sum")
    tensor(4.)
    """

    @functools.wraps(fn)
    def wrapper(
        pred: torch.Tensor,
        target: torch.Tensor,
        *,
        weight: torch.Tensor | None = None,
        reduction: Reduction = "mean",
        **options: object,
    ) -> torch.Tensor:
        if pred.shape != target.shape:
            raise ValueError(
                f"{fn.__name__}: pred {tuple(pred.shape)} and target {tuple(target.shape)} "
                "must have the same shape"
            )
        return reduce_loss(fn(pred, target, **options), weight=weight, reduction=reduction)

    # the public signature: pred, target, then fn's options and weight/reduction, keyword-only
    params = list(inspect.signature(fn).parameters.values())
    options = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params[2:]]
    extra = [
        inspect.Parameter("weight", inspect.Parameter.KEYWORD_ONLY, default=None),
        inspect.Parameter("reduction", inspect.Parameter.KEYWORD_ONLY, default="mean"),
    ]
    wrapper.__signature__ = inspect.Signature(params[:2] + options + extra)  # type: ignore[attr-defined]
    return wrapper
