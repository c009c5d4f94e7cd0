"""EDSR's ``MeanShift``: a frozen 1x1 convolution adding or subtracting the dataset RGB mean."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["DIV2K_RGB_MEAN", "MeanShift"]

DIV2K_RGB_MEAN = (0.4488, 0.4371, 0.4040)


class MeanShift(nn.Conv2d):
    """``y = x + sign * rgb_range * mean`` per channel, as a 1x1 convolution with frozen
    parameters (identity weight, bias ``sign * rgb_range * mean``).

    Being a ``Conv2d`` keeps the official EDSR-PyTorch state-dict keys (``sub_mean.weight``,
    ``sub_mean.bias``, ``add_mean.*``). Parameters have ``requires_grad=False``.
    """

    def __init__(self, mean: Sequence[float], *, rgb_range: float, sign: int) -> None:
        channels = len(mean)
        super().__init__(channels, channels, kernel_size=1)
        with torch.no_grad():
            self.weight.copy_(torch.eye(channels).view(channels, channels, 1, 1))
            self.bias.copy_(sign * rgb_range * torch.tensor(mean, dtype=torch.float32))
        for p in self.parameters():
            p.requires_grad_(False)
