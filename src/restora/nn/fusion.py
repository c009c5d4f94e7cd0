"""Inference-only rewrites that keep a network's function: Conv2d + BatchNorm2d folding."""

from __future__ import annotations

import copy

from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

__all__ = ["fuse_conv_bn"]


def fuse_conv_bn(model: nn.Module) -> nn.Module:
    """An eval-mode copy of ``model`` where every ``Conv2d`` followed by a ``BatchNorm2d`` in the
    same ``nn.Sequential`` is one conv (the norm's running statistics and affine folded into the
    conv's weight and bias) and the norm is an ``nn.Identity``.

    Outputs match the original in eval mode up to float rounding (~1e-6 relative); the copy's
    state dict has different keys, so save the original, not this. ``model`` is not changed.

    >>> import torch
    >>> net = nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4), nn.ReLU()).eval()
    >>> fused = fuse_conv_bn(net)
    >>> [type(m).__name__ for m in fused]
    ['Conv2d', 'Identity', 'ReLU']
    >>> x = torch.rand(1, 3, 8, 8)
    >>> bool(torch.allclose(net(x), fused(x), atol=1e-5))
    True
    """
    fused = copy.deepcopy(model).eval()
    for module in fused.modules():
        if not isinstance(module, nn.Sequential):
            continue
        children = list(module._modules.items())
        for (conv_name, conv), (norm_name, norm) in zip(children, children[1:], strict=False):
            if (
                type(conv) is nn.Conv2d
                and type(norm) is nn.BatchNorm2d
                and norm.track_running_stats
                and conv.out_channels == norm.num_features
            ):
                module._modules[conv_name] = fuse_conv_bn_eval(conv, norm)
                module._modules[norm_name] = nn.Identity()
    return fused
