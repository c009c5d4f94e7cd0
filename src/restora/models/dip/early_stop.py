"""Early stopping without ground truth: the windowed moving variance of the outputs (ES-WMV,
Wang et al., "Early Stopping for Deep Image Prior", TMLR 2023).

While DIP fits the image content its outputs settle; once it starts fitting the noise they
drift again. The variance over the last ``window`` outputs therefore falls to a minimum near
the best iterate: stop after ``patience`` steps without a new minimum and use that iterate.
"""

from __future__ import annotations

from collections import deque

import torch

__all__ = ["WindowedVarianceStop"]


class WindowedVarianceStop:
    """Track ``VAR_t = mean over pixels of the variance of the last window images``.

    Call :meth:`update` once per iteration with the current image (any shape, detached); it
    returns True when ``VAR_t`` is a new minimum (the caller keeps its image then).
    :attr:`should_stop` turns True after ``patience`` further updates without a new minimum.
    Sums are kept in float64 so each update costs O(pixels), not O(window x pixels).

    >>> stop = WindowedVarianceStop(window=2, patience=2)
    >>> [stop.update(torch.tensor([v]), i) for i, v in enumerate([0.0, 4.0, 5.0, 5.0, 9.0, 20.0])]
    [False, True, True, True, False, False]
    >>> stop.best_iteration, stop.should_stop
    (3, True)
    """

    def __init__(self, *, window: int = 100, patience: int = 1000) -> None:
        if window < 2 or patience < 1:
            raise ValueError(f"window must be >= 2 and patience >= 1, got {window}, {patience}")
        self.window = window
        self.patience = patience
        self._images: deque[torch.Tensor] = deque()
        self._sum: torch.Tensor | None = None
        self._sumsq: torch.Tensor | None = None
        self.best_variance = float("inf")
        self.best_iteration: int | None = None
        self.wait = 0
        self.history: list[tuple[int, float]] = []

    @property
    def should_stop(self) -> bool:
        return self.wait >= self.patience

    def update(self, image: torch.Tensor, iteration: int) -> bool:
        """Add ``image``; True when the windowed variance reached a new minimum."""
        x = image.detach().to(torch.float64)
        if self._sum is None or self._sumsq is None:
            self._sum, self._sumsq = torch.zeros_like(x), torch.zeros_like(x)
        self._images.append(x)
        self._sum += x
        self._sumsq += x * x
        if len(self._images) > self.window:
            old = self._images.popleft()
            self._sum -= old
            self._sumsq -= old * old
        if len(self._images) < self.window:
            return False
        mean = self._sum / self.window
        variance = float((self._sumsq / self.window - mean * mean).clamp_min(0).mean())
        self.history.append((iteration, variance))
        if variance < self.best_variance:
            self.best_variance, self.best_iteration, self.wait = variance, iteration, 0
            return True
        self.wait += 1
        return False
