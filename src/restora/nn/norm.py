"""Normalization and activation layers chosen by name (so architectures can be configured)."""

from __future__ import annotations

import math
from typing import Literal

from torch import nn

__all__ = ["Activation", "Norm", "make_activation", "make_norm"]

Norm = Literal["batch", "instance", "group", "none"]
Activation = Literal["relu", "lrelu", "elu", "prelu", "tanh", "sigmoid", "none"]


def make_norm(kind: Norm, channels: int) -> nn.Module:
    """A 2-D normalization over ``channels``: BatchNorm, affine InstanceNorm, GroupNorm or identity.

    GroupNorm uses ``gcd(32, channels)`` groups, so any channel count works.
    """
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    if kind == "group":
        return nn.GroupNorm(math.gcd(32, channels), channels)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {kind!r}: expected batch, instance, group or none")


def make_activation(kind: Activation, channels: int = 1) -> nn.Module:
    """An activation by name; ``lrelu`` has slope 0.2, ``prelu`` one slope per channel."""
    if kind == "relu":
        return nn.ReLU()
    if kind == "lrelu":
        return nn.LeakyReLU(0.2)
    if kind == "elu":
        return nn.ELU()
    if kind == "prelu":
        return nn.PReLU(channels)
    if kind == "tanh":
        return nn.Tanh()
    if kind == "sigmoid":
        return nn.Sigmoid()
    if kind == "none":
        return nn.Identity()
    raise ValueError(
        f"unknown activation {kind!r}: expected relu, lrelu, elu, prelu, tanh, sigmoid or none"
    )
