"""Optimizers and learning-rate schedules from the config.

The schedule is a pure function of the step (no scheduler object to save): the loop sets
``lr = base_lr * lr_factor(schedule, step, total)`` before every step, so a resumed run gets the
same learning rates as an uninterrupted one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch

from restora.train.config import OptimConfig, ScheduleConfig


def build_optimizer(
    params: Iterable[torch.nn.Parameter], config: OptimConfig, *, lr: float | None = None
) -> torch.optim.Optimizer:
    """Adam or AdamW over ``params`` (``lr`` overrides ``config.lr``, e.g. for a discriminator).

    Each param group records its ``base_lr`` for :func:`set_lr`.
    """
    params = [p for p in params if p.requires_grad]
    if not params:
        raise ValueError("the optimizer got no trainable parameters")
    lr = config.lr if lr is None else lr
    kind = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[config.name]
    optimizer = kind(
        params, lr=lr, betas=(config.betas[0], config.betas[1]), weight_decay=config.weight_decay
    )
    for group in optimizer.param_groups:
        group["base_lr"] = lr
    return optimizer


def lr_factor(schedule: ScheduleConfig, step: int, total: int) -> float:
    """Multiplier of the base learning rate for optimizer step ``step`` (0-based) of ``total``.

    >>> lr_factor(ScheduleConfig(name="cosine"), 0, 100), lr_factor(ScheduleConfig(name="cosine"), 99, 100)
    (1.0, 0.0)
    >>> lr_factor(ScheduleConfig(warmup=4), 1, 100)
    0.5
    """
    if step < schedule.warmup:
        return (step + 1) / schedule.warmup
    if schedule.name == "constant":
        return 1.0
    if schedule.name == "step":
        return schedule.gamma ** ((step - schedule.warmup) // schedule.step_size)
    span = max(total - schedule.warmup - 1, 1)
    progress = min((step - schedule.warmup) / span, 1.0)
    low = schedule.min_factor
    return low + (1.0 - low) * 0.5 * (1.0 + math.cos(math.pi * progress))


def set_lr(optimizer: torch.optim.Optimizer, factor: float) -> float:
    """Set every group's ``lr = base_lr * factor``; return the first group's lr."""
    for group in optimizer.param_groups:
        group["lr"] = group["base_lr"] * factor
    return optimizer.param_groups[0]["lr"]


def clip_gradients(params: Iterable[torch.nn.Parameter], max_norm: float) -> float | None:
    """Clip the global gradient norm to ``max_norm`` (no-op when 0); return the norm before."""
    if max_norm <= 0:
        return None
    return float(torch.nn.utils.clip_grad_norm_(list(params), max_norm))
