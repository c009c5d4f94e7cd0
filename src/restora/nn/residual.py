"""EDSR-style residual block: conv → act → conv, scaled, plus identity (no BatchNorm by default)."""

from __future__ import annotations

import torch
from torch import nn

from restora.nn.norm import Activation, Norm, make_activation, make_norm

__all__ = ["ResidualBlock"]


class ResidualBlock(nn.Module):
    """``x + res_scale * body(x)`` with ``body = conv, act, conv`` (Lim et al., EDSR 2017).

    With ``norm="none"`` (EDSR) the state-dict keys are ``body.0.*`` and ``body.2.*``, as in the
    official EDSR-PyTorch ``ResBlock``; with a norm the body is ``conv, norm, act, conv, norm``.
    ``res_scale`` (0.1 in EDSR's wide model) stabilizes training of wide networks.
    Input and output ``(B, channels, H, W)``.

    >>> tuple(ResidualBlock(8)(torch.rand(1, 8, 5, 7)).shape)
    (1, 8, 5, 7)
    """

    def __init__(
        self,
        channels: int,
        *,
        kernel_size: int = 3,
        res_scale: float = 1.0,
        norm: Norm = "none",
        activation: Activation = "relu",
        bias: bool = True,
    ) -> None:
        super().__init__()
        pad = kernel_size // 2
        layers: list[nn.Module] = [
            nn.Conv2d(channels, channels, kernel_size, padding=pad, bias=bias)
        ]
        if norm != "none":
            layers.append(make_norm(norm, channels))
        layers.append(make_activation(activation, channels))
        layers.append(nn.Conv2d(channels, channels, kernel_size, padding=pad, bias=bias))
        if norm != "none":
            layers.append(make_norm(norm, channels))
        self.body = nn.Sequential(*layers)
        self.res_scale = res_scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x) * self.res_scale
