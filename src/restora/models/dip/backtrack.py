"""Backtracking (the DIP notebooks' "falling back to previous checkpoint"): when the fit PSNR
suddenly drops, the optimisation diverged; restore the parameters saved at the last good check."""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["Backtracker"]


class Backtracker:
    """Save ``model``'s state every ``every`` iterations while the loss behaves; roll back on a spike.

    The fit PSNR is ``-10 log10(loss)`` (loss = MSE on [0, 1] images). At a check, a PSNR more
    than ``drop_db`` below the last accepted one (or a non-finite loss) restores the saved state
    (parameters and BatchNorm buffers) and :meth:`check` returns True: the caller skips that
    optimizer step. Otherwise the current state is saved.

    >>> net = nn.Linear(2, 2)
    >>> bt = Backtracker(net, every=1, drop_db=5.0)
    >>> bt.check(1, 0.01)
    False
    >>> with torch.no_grad():
    ...     _ = net.weight.add_(100.0)
    >>> bt.check(2, 1.0), bt.rollbacks  # 20 dB -> 0 dB: roll back
    (True, 1)
    """

    def __init__(self, model: nn.Module, *, every: int = 1, drop_db: float = 5.0) -> None:
        if every < 1 or drop_db <= 0:
            raise ValueError(f"every must be >= 1 and drop_db > 0, got {every}, {drop_db}")
        self.model = model
        self.every = every
        self.drop_db = drop_db
        self.last_psnr: float | None = None
        self._saved: dict[str, torch.Tensor] | None = None
        self.rollbacks = 0

    def check(self, iteration: int, loss: float) -> bool:
        """True when the state was rolled back at this ``iteration`` (the step must be skipped)."""
        if iteration % self.every:
            return False
        fit_psnr = -10.0 * math.log10(loss) if math.isfinite(loss) and loss > 0 else None
        spike = fit_psnr is None or (
            self.last_psnr is not None and fit_psnr < self.last_psnr - self.drop_db
        )
        if spike and self._saved is not None:
            self.model.load_state_dict(self._saved)
            self.rollbacks += 1
            return True
        if fit_psnr is not None:
            self._saved = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            self.last_psnr = fit_psnr
        return False
