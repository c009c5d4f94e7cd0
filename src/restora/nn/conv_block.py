"""``ConvNormAct``: the conv → norm → activation unit most architectures are made of."""

from __future__ import annotations

from torch import nn

from restora.nn.norm import Activation, Norm, make_activation, make_norm

__all__ = ["ConvNormAct"]


class ConvNormAct(nn.Sequential):
    """``Conv2d → norm → activation``, "same" padding by default, no conv bias before a norm.

    Keys: ``0.*`` conv, ``1.*`` norm (if any), ``2.*`` activation parameters (PReLU).

    >>> import torch
    >>> tuple(ConvNormAct(3, 8, norm="batch", activation="relu")(torch.rand(1, 3, 5, 7)).shape)
    (1, 8, 5, 7)
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        *,
        padding: int | None = None,
        dilation: int = 1,
        norm: Norm = "none",
        activation: Activation = "relu",
    ) -> None:
        if padding is None:
            padding = dilation * (kernel_size - 1) // 2
        conv = nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            bias=norm == "none",
        )
        super().__init__(
            conv, make_norm(norm, out_channels), make_activation(activation, out_channels)
        )
