"""Exponential moving average of a model's weights (buffers such as BatchNorm statistics are
copied, not averaged)."""

from __future__ import annotations

import copy

import torch
from torch import nn


class EMA:
    """``shadow = d * shadow + (1 - d) * weights`` after every optimizer step, with the decay
    warmed up as ``d = min(decay, (1 + n) / (10 + n))`` after ``n`` earlier updates (so short
    runs are not dominated by the initial weights).

    ``ema.model`` is a frozen copy in eval mode, used for validation and saved with checkpoints.

    >>> net = nn.Linear(2, 1)
    >>> ema = EMA(net, decay=0.5)
    >>> with torch.no_grad():
    ...     _ = net.weight.add_(2.0)
    >>> ema.update(net, step=100)
    >>> bool(torch.allclose(ema.model.weight, net.weight - 1.0))
    True
    """

    def __init__(self, model: nn.Module, *, decay: float) -> None:
        if not 0 < decay < 1:
            raise ValueError(f"EMA decay must be in (0, 1), got {decay}")
        self.decay = decay
        self.model = copy.deepcopy(model).eval().requires_grad_(False)
        self._averaged = {
            name for name, p in self.model.named_parameters() if p.is_floating_point()
        }

    @torch.no_grad()
    def update(self, model: nn.Module, *, step: int) -> None:
        """Move the shadow weights towards ``model``'s (same architecture) after optimizer step
        ``step`` (0-based; it sets the warm-up)."""
        decay = min(self.decay, (1 + step) / (10 + step))
        ema_state = self.model.state_dict()
        for name, value in model.state_dict().items():
            shadow = ema_state[name]
            if name in self._averaged:
                shadow.lerp_(value.detach(), 1.0 - decay)
            else:
                shadow.copy_(value)
